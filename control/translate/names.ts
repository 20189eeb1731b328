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
