// The gateway's listeners: `ingress_http` (plain HTTP, route table `ingress_http`) and, when an
// Ingress has usable TLS, `ingress_https`: a TLS inspector reads the SNI, one filter chain per
// certificate serves its hosts (a chain without server names serves any other SNI), and each
// chain's certificate arrives over SDS (ADS) by name, so a renewed Secret is an SDS update that
// drains no connection. Both HCMs are edge-facing: the client address is the peer's, paths are
// normalised, the Host's port is ignored (Ingress hosts have none), and requests are logged.
import { ADS_SOURCE, ANY, socketAddress } from '../envoy.js';
import { httpFilters } from '../http.js';
import { INGRESS_HTTP, INGRESS_HTTPS, INGRESS_STAT_PREFIX } from '../names.js';

export interface TlsChain {
  /** SDS name of the certificate. */
  secret: string;
  /** SNI names it serves; empty for the default certificate. */
  hosts: readonly string[];
}

const HCM_FILTER = 'envoy.filters.network.http_connection_manager';

function gatewayHcm(routeName: string): object {
  return {
    '@type': ANY.hcm,
    stat_prefix: INGRESS_STAT_PREFIX,
    codec_type: 'AUTO',
    rds: { route_config_name: routeName, config_source: ADS_SOURCE },
    http_filters: httpFilters(INGRESS_STAT_PREFIX),
    access_log: [{ name: 'envoy.access_loggers.stdout', typed_config: { '@type': ANY.stdoutLog } }],
    use_remote_address: { value: true },
    normalize_path: { value: true },
    merge_slashes: true,
    strip_any_host_port: true,
  };
}

export function httpListener(port: number): object {
  return {
    name: INGRESS_HTTP,
    address: socketAddress('0.0.0.0', port),
    traffic_direction: 'INBOUND',
    filter_chains: [
      {
        name: INGRESS_HTTP,
        filters: [{ name: HCM_FILTER, typed_config: gatewayHcm(INGRESS_HTTP) }],
      },
    ],
  };
}

function tlsChain(c: TlsChain): object {
  return {
    name: c.hosts.length > 0 ? c.secret : `default|${c.secret}`,
    ...(c.hosts.length > 0 ? { filter_chain_match: { server_names: [...c.hosts] } } : {}),
    transport_socket: {
      name: 'envoy.transport_sockets.tls',
      typed_config: {
        '@type': ANY.downstreamTls,
        common_tls_context: {
          alpn_protocols: ['h2', 'http/1.1'],
          tls_certificate_sds_secret_configs: [{ name: c.secret, sds_config: ADS_SOURCE }],
        },
      },
    },
    filters: [{ name: HCM_FILTER, typed_config: gatewayHcm(INGRESS_HTTPS) }],
  };
}

/** The HTTPS listener; `chains` is non-empty, sorted, and no two share an SNI name. */
export function httpsListener(port: number, chains: readonly TlsChain[]): object {
  return {
    name: INGRESS_HTTPS,
    address: socketAddress('0.0.0.0', port),
    traffic_direction: 'INBOUND',
    listener_filters: [
      {
        name: 'envoy.filters.listener.tls_inspector',
        typed_config: { '@type': ANY.tlsInspector },
      },
    ],
    filter_chains: chains.map(tlsChain),
  };
}
