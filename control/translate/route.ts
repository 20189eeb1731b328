// The route table of one HTTP or gRPC Service port: dark-launch routes first (a header sends a
// request to one version), then the default route (the version split, or the whole Service),
// with the Service's hash policy, retries and timeout. Shared by Envoy sidecars (RDS), proxyless
// gRPC clients and the ingress gateway (whose routes match an Ingress's host and path, then take
// the same actions and filter configs), so every caller is routed alike.
import type { PortProtocol } from '../../lib/labels/index.js';
import type { DarkLaunch, RetryOn, ServicePolicy } from '../policy/types.js';
import { duration, u32 } from './envoy.js';
import { BANDWIDTH_FILTER, FAULT_FILTER, bandwidthConfig, faultConfig } from './http.js';

export interface RouteTarget {
  /** The Service's cluster, used when there is no version split. */
  cluster: string;
  /** Version → subset cluster name. */
  subsets: ReadonlyMap<string, string>;
}

/** gRPC answers failures with statuses, not 5xx: retry on the gRPC equivalents too. */
const GRPC_RETRY: Record<RetryOn, string[]> = {
  '5xx': ['unavailable', 'internal'],
  'connect-failure': ['unavailable'],
  'gateway-error': ['unavailable'],
};

function retryPolicy(p: ServicePolicy, protocol: PortProtocol): object | undefined {
  const r = p.resilience.retry;
  if (!r) return undefined;
  const on = new Set<string>(r.on);
  if (protocol === 'grpc') for (const k of r.on) for (const g of GRPC_RETRY[k]) on.add(g);
  return { retry_on: [...on].join(','), num_retries: u32(r.numRetries) };
}

function hashPolicy(p: ServicePolicy): object[] {
  const out: object[] = [];
  const c = p.hash.cookie;
  if (c)
    out.push({
      cookie: {
        name: c.name,
        ...(c.ttlSeconds !== undefined ? { ttl: duration(c.ttlSeconds * 1000) } : {}),
      },
    });
  if (p.hash.header) out.push({ header: { header_name: p.hash.header } });
  return out;
}

function splitAction(p: ServicePolicy, t: RouteTarget): Record<string, unknown> {
  const weighted = [...p.versions.entries()].filter(([, w]) => w > 0);
  if (weighted.length === 0) return { cluster: t.cluster };
  if (weighted.length === 1) return { cluster: t.subsets.get(weighted[0]?.[0] ?? '') ?? t.cluster };
  return {
    weighted_clusters: {
      clusters: weighted.map(([v, w]) => ({ name: t.subsets.get(v) ?? t.cluster, weight: u32(w) })),
    },
  };
}

/** Per-virtual-host (or per-route) filter configs: the Service's faults and rate limit. */
export function perFilterConfig(p: ServicePolicy, statPrefix: string): Record<string, unknown> {
  const out: Record<string, object> = {};
  const fault = faultConfig(p);
  const bandwidth = bandwidthConfig(p, statPrefix);
  if (fault) out[FAULT_FILTER] = fault;
  if (bandwidth) out[BANDWIDTH_FILTER] = bandwidth;
  return Object.keys(out).length > 0 ? { typed_per_filter_config: out } : {};
}

function action(p: ServicePolicy, protocol: PortProtocol, target: Record<string, unknown>): object {
  const retry = retryPolicy(p, protocol);
  const hash = hashPolicy(p);
  const timeout = p.resilience.requestTimeoutMs;
  return {
    ...target,
    ...(timeout !== undefined ? { timeout: duration(timeout) } : {}),
    // gRPC clients bound a call by max_stream_duration, not by the HTTP route timeout.
    ...(timeout !== undefined && protocol === 'grpc'
      ? { max_stream_duration: { max_stream_duration: duration(timeout) } }
      : {}),
    ...(retry ? { retry_policy: retry } : {}),
    ...(hash.length > 0 ? { hash_policy: hash } : {}),
  };
}

/** The action of a Service's default route: its version split (or the whole Service). */
export function defaultRouteAction(
  p: ServicePolicy,
  protocol: PortProtocol,
  t: RouteTarget,
): object {
  return action(p, protocol, splitAction(p, t));
}

/** A dark-launch route: requests on `match` with the header go to one version. */
export function darkLaunchRoute(
  d: DarkLaunch,
  p: ServicePolicy,
  protocol: PortProtocol,
  t: RouteTarget,
  match: Record<string, unknown> = { prefix: '/' },
): { name: string; match: object; route: object } {
  return {
    name: `dark-launch-${d.version}`,
    match: { ...match, headers: [{ name: d.header, string_match: { exact: d.value } }] },
    route: action(p, protocol, { cluster: t.subsets.get(d.version) ?? t.cluster }),
  };
}

export function routeConfiguration(
  name: string,
  p: ServicePolicy,
  protocol: PortProtocol,
  t: RouteTarget,
): object {
  const routes = [
    ...p.darkLaunch.map((d) => darkLaunchRoute(d, p, protocol, t)),
    { name: 'default', match: { prefix: '/' }, route: defaultRouteAction(p, protocol, t) },
  ];
  const vhost = { name: `${name}_vh`, domains: ['*'], routes, ...perFilterConfig(p, name) };
  return { name, virtual_hosts: [vhost] };
}
