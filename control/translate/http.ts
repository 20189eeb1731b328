// The HttpConnectionManager of one Service port, the same for a sidecar's filter chain and a
// proxyless gRPC client's api_listener: fault injection and bandwidth limit when set, Zipkin
// tracing when enabled, the router last, routes over RDS.
import type { ServicePolicy } from '../policy/types.js';
import { ADS_SOURCE, ANY, duration, fraction, u32 } from './envoy.js';
import { ZIPKIN_CLUSTER } from './names.js';

export interface HcmOptions {
  statPrefix: string;
  routeName: string;
  /** Zipkin is configured on the control plane; without it tracing stays off. */
  zipkin: boolean;
}

function faultFilter(p: ServicePolicy): object | undefined {
  const f = p.resilience.fault;
  const delay = f.delayMs !== undefined && f.delayPercent > 0;
  const abort = f.abortPercent > 0;
  if (!delay && !abort) return undefined;
  return {
    name: 'envoy.filters.http.fault',
    typed_config: {
      '@type': ANY.fault,
      ...(delay
        ? { delay: { fixed_delay: duration(f.delayMs ?? 0), percentage: fraction(f.delayPercent) } }
        : {}),
      ...(abort
        ? { abort: { http_status: f.abortStatus, percentage: fraction(f.abortPercent) } }
        : {}),
    },
  };
}

function bandwidthFilter(p: ServicePolicy, statPrefix: string): object | undefined {
  const kbps = p.resilience.rateLimitKbps;
  if (kbps === undefined) return undefined;
  return {
    name: 'envoy.filters.http.bandwidth_limit',
    typed_config: {
      '@type': ANY.bandwidth,
      stat_prefix: statPrefix,
      enable_mode: 'REQUEST_AND_RESPONSE',
      limit_kbps: u32(kbps),
    },
  };
}

const ROUTER = { name: 'envoy.filters.http.router', typed_config: { '@type': ANY.router } };

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
  const filters = [faultFilter(p), bandwidthFilter(p, o.statPrefix), ROUTER].filter(
    (f) => f !== undefined,
  );
  const traced = o.zipkin && p.resilience.tracing.enabled;
  return {
    '@type': ANY.hcm,
    stat_prefix: o.statPrefix,
    codec_type: 'AUTO',
    rds: { route_config_name: o.routeName, config_source: ADS_SOURCE },
    http_filters: filters,
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
    http_filters: [ROUTER],
  };
}
