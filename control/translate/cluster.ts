// Clusters: one EDS cluster per proxied Service port (and one per version subset), carrying the
// Service's load-balancing policy, connect timeout, circuit breakers, and HTTP/2 upstream for
// grpc ports. Plus the shared passthrough and Zipkin clusters.
import type { PortProtocol } from '../../lib/labels/index.js';
import type { ServicePolicy } from '../policy/types.js';
import { ADS_SOURCE, ANY, duration, socketAddress, u32 } from './envoy.js';
import { PASSTHROUGH_CLUSTER, ZIPKIN_CLUSTER } from './names.js';

function breakers(p: ServicePolicy): object | undefined {
  const b = p.resilience.breakers;
  const t: Record<string, unknown> = { priority: 'DEFAULT' };
  if (b.maxConnections !== undefined) t.max_connections = u32(b.maxConnections);
  if (b.maxPendingRequests !== undefined) t.max_pending_requests = u32(b.maxPendingRequests);
  if (b.maxRequests !== undefined) t.max_requests = u32(b.maxRequests);
  if (b.maxRetries !== undefined) t.max_retries = u32(b.maxRetries);
  return Object.keys(t).length > 1 ? { thresholds: [t] } : undefined;
}

const HTTP2 = {
  'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
    '@type': ANY.httpProtocolOptions,
    explicit_http_config: { http2_protocol_options: {} },
  },
};

export function edsCluster(name: string, protocol: PortProtocol, p: ServicePolicy): object {
  const cb = breakers(p);
  return {
    name,
    type: 'EDS',
    eds_cluster_config: { eds_config: ADS_SOURCE },
    connect_timeout: duration(p.resilience.connectTimeoutMs),
    lb_policy: p.lb,
    ...(cb ? { circuit_breakers: cb } : {}),
    ...(protocol === 'grpc' ? { typed_extension_protocol_options: HTTP2 } : {}),
  };
}

/** For `direct` ports: the connection goes on to its original destination, unchanged. */
export const PASSTHROUGH = {
  name: PASSTHROUGH_CLUSTER,
  type: 'ORIGINAL_DST',
  lb_policy: 'CLUSTER_PROVIDED',
  connect_timeout: duration(10_000),
};

export function zipkinCluster(host: string, port: number): object {
  return {
    name: ZIPKIN_CLUSTER,
    type: 'STRICT_DNS',
    connect_timeout: duration(5_000),
    load_assignment: {
      cluster_name: ZIPKIN_CLUSTER,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: socketAddress(host, port) } }] }],
    },
  };
}
