// Resource names kept from the original system, so its Prometheus queries keep working: Envoy's
// default tag extraction cuts cluster stats at the first dot, which turns
// `cluster.9080|default|reviews.outbound.upstream_rq` into
// envoy_cluster_outbound_upstream_rq{envoy_cluster_name="9080|default|reviews"}.

/** Dots would end Envoy's stat tag early; names of Services cannot have them, versions can. */
function safe(s: string): string {
  return s.replace(/\./g, '_');
}

export function clusterName(port: number, namespace: string, service: string): string {
  return `${port}|${namespace}|${safe(service)}.outbound`;
}

export function subsetName(
  port: number,
  namespace: string,
  service: string,
  version: string,
): string {
  return `${port}|${namespace}|${safe(service)}|${safe(version)}.outbound`;
}

/** The name proxyless gRPC clients dial: xds:///<svc>.<ns>.svc.<domain>:<port>. */
export function apiListenerName(
  service: string,
  namespace: string,
  port: number,
  domain: string,
): string {
  return `${service}.${namespace}.svc.${domain}:${port}`;
}

export const OUTBOUND_LISTENER = 'outbound';
export const PASSTHROUGH_CLUSTER = 'passthrough';
export const BLACKHOLE = 'blackhole';
export const ZIPKIN_CLUSTER = 'zipkin';

/** The ingress gateway's node id, and its listeners / route tables (one each for http, https). */
export const GATEWAY_NODE = 'traffic-ingress';
export const INGRESS_HTTP = 'ingress_http';
export const INGRESS_HTTPS = 'ingress_https';
/** The gateway's HTTP stat prefix, as in the original (envoy_http_*{..prefix="traffic-ingress"}). */
export const INGRESS_STAT_PREFIX = 'traffic-ingress';

/** A virtual host of the gateway: `<host with . → _>_ingress_vh`, `all_ingress_vh` for `*`. */
export function ingressVhostName(host: string): string {
  return host === '*' ? 'all_ingress_vh' : `${safe(host)}_ingress_vh`;
}

/**
 * The SDS name of an Ingress's TLS Secret, `<secret>.<namespace>` as in the original (its README
 * shows `ingressgateway-certs.default`). Unambiguous: a namespace is a DNS label (no dots), so
 * the last dot separates them even when the Secret's name has dots.
 */
export function sdsSecretName(namespace: string, secret: string): string {
  return `${secret}.${namespace}`;
}
