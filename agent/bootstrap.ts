// Envoy's bootstrap for one pod's proxy, and the command line that carries it. Pure: validated
// input in, an object in Envoy's proto3 JSON form (snake_case fields, enum names, durations as
// "1s", Any as {"@type", ...}) out, which Envoy reads from `--config-yaml` (JSON is YAML).
//
// The proxy starts with: its node identity (`<pod>.<namespace>`, as the original), ADS to
// traffic-control over gRPC (HTTP/2; SotW, or delta when asked), the admin on 127.0.0.1 only,
// and one static listener on all addresses that serves nothing but /stats/prometheus (proxied to
// the admin) for Prometheus.
// Every other listener and cluster comes from traffic-control over xDS.
import { isIP } from 'node:net';
import { fail, ok, type Validation } from '../lib/validation.js';

export interface BootstrapInput {
  podName: string;
  namespace: string;
  podIp?: string;
  /** traffic-control's Service (FQDN) or IP, and its ADS port. */
  xdsAddress: string;
  xdsPort: number;
  /** ADS flavour: 'sotw' (api_type GRPC, the default) or 'delta' (DELTA_GRPC). */
  xdsApi?: 'sotw' | 'delta';
  /** Envoy's admin, bound to 127.0.0.1 in the pod. */
  adminPort: number;
  /** The static Prometheus listener on 0.0.0.0 (only /stats/prometheus). */
  statsPort: number;
  /** The outbound capture port, recorded in the node metadata. */
  capturePort: number;
  zipkin?: { address: string; port: number };
  /** Envoy worker threads (`--concurrency`); Envoy's default (one per core) when absent. */
  concurrency?: number;
}

export interface BootstrapArgsOptions {
  /** `--base-id` (hot-restart domain sockets live in the pod's netns); default the admin port. */
  baseId?: number;
  /** `--log-level`, default 'info'. */
  logLevel?: string;
  /** `--drain-time-s` for listeners modified or removed over LDS, default 45. */
  drainTimeS?: number;
}

export const XDS_CLUSTER = 'xds_cluster';
export const ADMIN_CLUSTER = 'envoy_admin';
/** The name traffic-control's tracing config points at (its own CDS copy is then ignored). */
export const ZIPKIN_CLUSTER = 'zipkin';
/** The bootstrap's only listener; every other listener comes from traffic-control. */
export const STATS_LISTENER = 'stats';
export const STATS_PATH = '/stats/prometheus';

const T = 'type.googleapis.com/';
const ANY = {
  hcm: `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`,
  router: `${T}envoy.extensions.filters.http.router.v3.Router`,
  httpProtocolOptions: `${T}envoy.extensions.upstreams.http.v3.HttpProtocolOptions`,
} as const;

const ADS_SOURCE = { ads: {}, resource_api_version: 'V3' } as const;
const LOG_LEVELS = ['trace', 'debug', 'info', 'warning', 'warn', 'error', 'critical', 'off'];
const DEFAULT_DRAIN_S = 45;

// ---- validation ----

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN =
  /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = '[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOSTNAME = new RegExp(`^(?=.{1,253}$)${LABEL}(\\.${LABEL})*\\.?$`);

function shown(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function intIn(field: string, v: unknown, min: number, max: number): string[] {
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return [];
  return [`${field}: must be an integer ${min}..${max}, got ${shown(v)}`];
}

function portErrors(field: string, v: unknown): string[] {
  return intIn(field, v, 1, 65535);
}

function matches(field: string, v: unknown, re: RegExp, what: string): string[] {
  return typeof v === 'string' && re.test(v) ? [] : [`${field}: must be ${what}, got ${shown(v)}`];
}

function isIpLiteral(v: string): boolean {
  return isIP(v) !== 0 && !v.includes('%');
}

function ipErrors(field: string, v: unknown): string[] {
  return typeof v === 'string' && isIpLiteral(v)
    ? []
    : [`${field}: must be an IPv4 or IPv6 address, got ${shown(v)}`];
}

/** A DNS name whose last label is not all digits (so a malformed IPv4 is no host name). */
function isHostname(v: string): boolean {
  return HOSTNAME.test(v) && !/(^|\.)\d+\.?$/.test(v);
}

function hostErrors(field: string, v: unknown): string[] {
  if (typeof v === 'string' && (isIpLiteral(v) || isHostname(v))) return [];
  return [`${field}: must be a DNS name or an IP address, got ${shown(v)}`];
}

/** Admin, stats and capture ports share the pod's netns: no two may be the same. */
function portClashes(input: BootstrapInput): string[] {
  const ports: [string, number][] = [
    ['adminPort', input.adminPort],
    ['statsPort', input.statsPort],
    ['capturePort', input.capturePort],
  ];
  const errors: string[] = [];
  for (const [i, [a, pa]] of ports.entries()) {
    for (const [b, pb] of ports.slice(i + 1)) {
      if (pa === pb) errors.push(`${b}: must differ from ${a} (both ${shown(pa)})`);
    }
  }
  return errors;
}

function zipkinErrors(z: BootstrapInput['zipkin']): string[] {
  if (z === undefined) return [];
  if (typeof z !== 'object' || z === null) return [`zipkin: must be {address, port}`];
  return [...hostErrors('zipkin.address', z.address), ...portErrors('zipkin.port', z.port)];
}

function inputErrors(input: BootstrapInput): string[] {
  return [
    ...matches('podName', input.podName, DNS_SUBDOMAIN, 'a DNS-1123 subdomain (a pod name)'),
    ...matches('namespace', input.namespace, DNS_LABEL, 'a DNS-1123 label (a namespace)'),
    ...(input.podIp === undefined ? [] : ipErrors('podIp', input.podIp)),
    ...hostErrors('xdsAddress', input.xdsAddress),
    ...portErrors('xdsPort', input.xdsPort),
    ...(input.xdsApi === undefined || input.xdsApi === 'sotw' || input.xdsApi === 'delta'
      ? []
      : [`xdsApi: must be sotw or delta, got ${shown(input.xdsApi)}`]),
    ...portErrors('adminPort', input.adminPort),
    ...portErrors('statsPort', input.statsPort),
    ...portErrors('capturePort', input.capturePort),
    ...portClashes(input),
    ...zipkinErrors(input.zipkin),
    ...(input.concurrency === undefined ? [] : intIn('concurrency', input.concurrency, 1, 1024)),
  ];
}

function argsErrors(opts: BootstrapArgsOptions): string[] {
  const level = opts.logLevel;
  return [
    ...(opts.baseId === undefined ? [] : intIn('baseId', opts.baseId, 0, 1_000_000)),
    ...(level === undefined || LOG_LEVELS.includes(level)
      ? []
      : [`logLevel: must be one of ${LOG_LEVELS.join(', ')}, got ${shown(level)}`]),
    ...(opts.drainTimeS === undefined ? [] : intIn('drainTimeS', opts.drainTimeS, 0, 3600)),
  ];
}

// ---- the bootstrap ----

function socketAddress(address: string, port: number): object {
  return { socket_address: { address, port_value: port } };
}

function loadAssignment(cluster: string, address: string, port: number): object {
  return {
    cluster_name: cluster,
    endpoints: [{ lb_endpoints: [{ endpoint: { address: socketAddress(address, port) } }] }],
  };
}

function node(input: BootstrapInput): object {
  const id = `${input.podName}.${input.namespace}`;
  return {
    id,
    cluster: id,
    metadata: {
      POD_NAME: input.podName,
      POD_NAMESPACE: input.namespace,
      ...(input.podIp === undefined ? {} : { POD_IP: input.podIp }),
      CAPTURE_PORT: input.capturePort,
      ADMIN_PORT: input.adminPort,
      STATS_PORT: input.statsPort,
    },
  };
}

function dynamicResources(input: BootstrapInput): object {
  return {
    ads_config: {
      api_type: input.xdsApi === 'delta' ? 'DELTA_GRPC' : 'GRPC',
      transport_api_version: 'V3',
      grpc_services: [{ envoy_grpc: { cluster_name: XDS_CLUSTER } }],
      set_node_on_first_message_only: true,
    },
    cds_config: ADS_SOURCE,
    lds_config: ADS_SOURCE,
  };
}

function xdsCluster(input: BootstrapInput): object {
  return {
    name: XDS_CLUSTER,
    type: 'STRICT_DNS',
    connect_timeout: '2s',
    typed_extension_protocol_options: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': ANY.httpProtocolOptions,
        explicit_http_config: { http2_protocol_options: {} },
      },
    },
    upstream_connection_options: { tcp_keepalive: {} },
    load_assignment: loadAssignment(XDS_CLUSTER, input.xdsAddress, input.xdsPort),
  };
}

function adminCluster(input: BootstrapInput): object {
  return {
    name: ADMIN_CLUSTER,
    type: 'STATIC',
    connect_timeout: '1s',
    load_assignment: loadAssignment(ADMIN_CLUSTER, '127.0.0.1', input.adminPort),
  };
}

function zipkinCluster(z: { address: string; port: number }): object {
  return {
    name: ZIPKIN_CLUSTER,
    type: 'STRICT_DNS',
    connect_timeout: '5s',
    load_assignment: loadAssignment(ZIPKIN_CLUSTER, z.address, z.port),
  };
}

/** 0.0.0.0:statsPort: GET /stats/prometheus goes to the admin, everything else is a 404. */
function statsListener(input: BootstrapInput): object {
  const routes = [
    {
      match: { path: STATS_PATH },
      route: { cluster: ADMIN_CLUSTER, prefix_rewrite: STATS_PATH },
    },
    { match: { prefix: '/' }, direct_response: { status: 404 } },
  ];
  const manager = {
    '@type': ANY.hcm,
    stat_prefix: STATS_LISTENER,
    codec_type: 'AUTO',
    route_config: {
      name: STATS_LISTENER,
      virtual_hosts: [{ name: STATS_LISTENER, domains: ['*'], routes }],
    },
    http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ANY.router } }],
  };
  return {
    name: STATS_LISTENER,
    address: socketAddress('0.0.0.0', input.statsPort),
    filter_chains: [
      {
        filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: manager }],
      },
    ],
  };
}

function assemble(input: BootstrapInput): Record<string, unknown> {
  const clusters = [xdsCluster(input), adminCluster(input)];
  if (input.zipkin) clusters.push(zipkinCluster(input.zipkin));
  return {
    node: node(input),
    dynamic_resources: dynamicResources(input),
    static_resources: { listeners: [statsListener(input)], clusters },
    admin: { address: socketAddress('127.0.0.1', input.adminPort) },
    layered_runtime: { layers: [{ name: 'admin', admin_layer: {} }] },
  };
}

/** The bootstrap of `input`'s proxy, or the reasons the input is unusable (one per field). */
export function buildBootstrap(input: BootstrapInput): Validation<Record<string, unknown>> {
  const errors = inputErrors(input);
  return errors.length > 0 ? fail(...errors) : ok(assemble(input));
}

/**
 * Envoy's arguments (the stock image's entrypoint runs `envoy "$@"` when the first one starts
 * with '-'): the bootstrap as JSON in `--config-yaml`, then base id, log level, drain time and,
 * when asked for, the worker count.
 */
export function bootstrapArgs(
  input: BootstrapInput,
  opts: BootstrapArgsOptions = {},
): Validation<string[]> {
  const bootstrap = buildBootstrap(input);
  const errors = [...(bootstrap.valid ? [] : bootstrap.errors), ...argsErrors(opts)];
  if (!bootstrap.valid || errors.length > 0) return fail(...errors);
  return ok([
    '--config-yaml',
    JSON.stringify(bootstrap.result),
    '--base-id',
    String(opts.baseId ?? input.adminPort),
    '--log-level',
    opts.logLevel ?? 'info',
    '--drain-time-s',
    String(opts.drainTimeS ?? DEFAULT_DRAIN_S),
    ...(input.concurrency === undefined ? [] : ['--concurrency', String(input.concurrency)]),
  ]);
}
