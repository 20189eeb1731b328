// The HttpConnectionManager of one Service port, the same for a sidecar's filter chain and a
// proxyless gRPC client's api_listener. Its filter list never changes with labels (fault and
// bandwidth filters are always present and inert; the router is last): per-request policy
// (faults, rate limit) rides on the routes as typed_per_filter_config, so changing it is an RDS
// update, which Envoy applies without draining the listener and gRPC clients apply at once.
// Only tracing lives here, and it needs a Zipkin collector configured on the control plane.
import type { ServicePolicy } from '../policy/types.js';
import { ADS_SOURCE, ANY, duration, fraction, u32 } from './envoy.js';
import { ZIPKIN_CLUSTER } from './names.js';

export const FAULT_FILTER = 'envoy.filters.http.fault';
export const BANDWIDTH_FILTER = 'envoy.filters.http.bandwidth_limit';

export interface HcmOptions {
  statPrefix: string;
  routeName: string;
  /** Zipkin is configured on the control plane; without it tracing stays off. */
  zipkin: boolean;
}

/** The route-level fault config, or undefined when the Service injects no fault. */
export function faultConfig(p: ServicePolicy): object | undefined {
  const f = p.resilience.fault;
  const delay = f.delayMs !== undefined && f.delayPercent > 0;
  const abort = f.abortPercent > 0;
  if (!delay && !abort) return undefined;
  return {
    '@type': ANY.fault,
    ...(delay
      ? { delay: { fixed_delay: duration(f.delayMs ?? 0), percentage: fraction(f.delayPercent) } }
      : {}),
    ...(abort
      ? { abort: { http_status: f.abortStatus, percentage: fraction(f.abortPercent) } }
      : {}),
  };
}

/** The route-level bandwidth limit, or undefined when the Service sets none. */
export function bandwidthConfig(p: ServicePolicy, statPrefix: string): object | undefined {
  const kbps = p.resilience.rateLimitKbps;
  if (kbps === undefined) return undefined;
  return {
    '@type': ANY.bandwidth,
    stat_prefix: statPrefix,
    enable_mode: 'REQUEST_AND_RESPONSE',
    limit_kbps: u32(kbps),
  };
}

/** The HTTP filters of every HCM we build: fault and bandwidth (inert until a route says), router. */
export function httpFilters(statPrefix: string): object[] {
  return [
    { name: FAULT_FILTER, typed_config: { '@type': ANY.fault } },
    // Optional: proxyless gRPC clients do not implement it and would otherwise reject the listener.
    {
      name: BANDWIDTH_FILTER,
      is_optional: true,
      typed_config: { '@type': ANY.bandwidth, stat_prefix: statPrefix },
    },
    { name: 'envoy.filters.http.router', typed_config: { '@type': ANY.router } },
  ];
}

function tracing(p: ServicePolicy): object {
  return {
    random_sampling: { value: p.resilience.tracing.samplingPercent },
    provider: {
      name: 'envoy.tracers.zipkin',
      typed_config: {
        '@type': ANY.zipkin,
        collector_cluster: ZIPKIN_CLUSTER,
        collector_endpoint: '/api/v2/spans',
        collector_endpoint_version: 'HTTP_JSON',
      },
    },
  };
}

export function httpConnectionManager(p: ServicePolicy, o: HcmOptions): object {
  const traced = o.zipkin && p.resilience.tracing.enabled;
  return {
    '@type': ANY.hcm,
    stat_prefix: o.statPrefix,
    codec_type: 'AUTO',
    rds: { route_config_name: o.routeName, config_source: ADS_SOURCE },
    http_filters: httpFilters(o.statPrefix),
    ...(traced ? { tracing: tracing(p) } : {}),
  };
}

/** The default chain: anything the pod may not call gets HTTP 404 (blocked by default). */
export function blackholeManager(): object {
  return {
    '@type': ANY.hcm,
    stat_prefix: 'http',
    codec_type: 'AUTO',
    route_config: {
      name: 'blackhole',
      virtual_hosts: [
        {
          name: 'blackhole_vh',
          domains: ['*'],
          routes: [{ match: { prefix: '/' }, direct_response: { status: 404 } }],
        },
      ],
    },
    http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ANY.router } }],
  };
}
