// The agent's command line → AgentConfig, with environment fallbacks and clear errors.
import { hostname } from 'node:os';
import { fromEnv, intFlag } from '../lib/cli.js';
import { InvalidArgumentError } from '../lib/errors.js';
import { DEFAULT_CONFIG, type AgentConfig } from './config.js';
import { runtimeSettings, type RuntimeSettings } from './runtime/select.js';

export const AGENT_FLAGS = {
  'node-name': { type: 'string' },
  kubeconfig: { type: 'string' },
  'docker-host': { type: 'string' },
  runtime: { type: 'string' },
  'containerd-address': { type: 'string' },
  'host-run-dir': { type: 'string' },
  'proxy-log-dir': { type: 'string' },
  'proxy-cgroup-parent': { type: 'string' },
  'proxy-image': { type: 'string' },
  'xds-address': { type: 'string' },
  'xds-api': { type: 'string' },
  'proxy-uid': { type: 'string' },
  'capture-port': { type: 'string' },
  'admin-port': { type: 'string' },
  'stats-port': { type: 'string' },
  'metrics-port': { type: 'string' },
  resync: { type: 'string' },
  'ready-timeout': { type: 'string' },
  'drain-seconds': { type: 'string' },
  'proxy-label': { type: 'string', multiple: true },
  'zipkin-address': { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type AgentFlagValues = {
  [K in keyof typeof AGENT_FLAGS]?: (typeof AGENT_FLAGS)[K] extends { multiple: true }
    ? string[]
    : (typeof AGENT_FLAGS)[K]['type'] extends 'boolean'
      ? boolean
      : string;
};

const PORT = { min: 1, max: 65535 };
const HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/;
const NODE = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** "30s", "2m", "500ms" or plain seconds → milliseconds. */
export function durationMs(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const m = /^(\d+)(ms|s|m)?$/.exec(raw);
  if (!m)
    throw new InvalidArgumentError(
      `--${flag} must be a duration like 30s, 2m or 500ms, got "${raw}"`,
    );
  const n = Number(m[1]);
  const ms = m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
  if (ms < 100 || ms > 24 * 3600_000)
    throw new InvalidArgumentError(`--${flag} out of range: "${raw}"`);
  return ms;
}

export function hostPort(
  flag: string,
  v: string,
  defaultPort?: number,
): { host: string; port: number } {
  const m = /^([^:\s]+)(?::(\d{1,5}))?$/.exec(v);
  const host = m?.[1] ?? '';
  if (!m || !HOST.test(host) || (m[2] === undefined && defaultPort === undefined)) {
    throw new InvalidArgumentError(`--${flag} must be host:port, got "${v}"`);
  }
  return {
    host,
    port: m[2] === undefined ? (defaultPort as number) : intFlag(flag, m[2], 0, PORT),
  };
}

/** `--xds-api`: the ADS flavour, sotw (default) or delta. */
function xdsApi(raw: string | undefined, fallback: AgentConfig['xdsApi']): AgentConfig['xdsApi'] {
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'sotw' || raw === 'delta') return raw;
  throw new InvalidArgumentError(`--xds-api must be sotw or delta, got "${raw}"`);
}

function labels(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list ?? []) {
    const [k = '', v = ''] = kv.split('=', 2);
    if (!kv.includes('=') || !LABEL_KEY.test(k) || !LABEL_VALUE.test(v)) {
      throw new InvalidArgumentError(
        `--proxy-label must be key=value (a valid label), got "${kv}"`,
      );
    }
    out[k] = v;
  }
  return out;
}

function self(): AgentConfig['self'] {
  const name = process.env.POD_NAME;
  const namespace = process.env.POD_NAMESPACE;
  return name && namespace ? { name, namespace } : undefined;
}

export function configFromFlags(v: AgentFlagValues): AgentConfig {
  const d = DEFAULT_CONFIG;
  const nodeName = fromEnv(v['node-name'], 'NODE_NAME') ?? hostname();
  if (!NODE.test(nodeName))
    throw new InvalidArgumentError(`--node-name is not a node name: "${nodeName}"`);
  const xds = hostPort(
    'xds-address',
    fromEnv(v['xds-address'], 'XDS_ADDRESS') ?? d.xdsAddress,
    d.xdsPort,
  );
  const zipkin = fromEnv(v['zipkin-address'], 'ZIPKIN_ADDRESS');
  const me = self();
  const c: AgentConfig = {
    ...d,
    nodeName,
    proxyImage: fromEnv(v['proxy-image'], 'PROXY_IMAGE') ?? d.proxyImage,
    xdsAddress: xds.host,
    xdsPort: xds.port,
    xdsApi: xdsApi(fromEnv(v['xds-api'], 'XDS_API'), d.xdsApi),
    proxyUid: intFlag('proxy-uid', fromEnv(v['proxy-uid'], 'PROXY_UID'), d.proxyUid, {
      min: 1,
      max: 2 ** 31 - 1,
    }),
    proxyGid: intFlag('proxy-uid', fromEnv(v['proxy-uid'], 'PROXY_UID'), d.proxyGid, {
      min: 1,
      max: 2 ** 31 - 1,
    }),
    capturePort: intFlag(
      'capture-port',
      fromEnv(v['capture-port'], 'CAPTURE_PORT'),
      d.capturePort,
      PORT,
    ),
    adminPort: intFlag('admin-port', fromEnv(v['admin-port'], 'ADMIN_PORT'), d.adminPort, PORT),
    statsPort: intFlag('stats-port', fromEnv(v['stats-port'], 'STATS_PORT'), d.statsPort, PORT),
    resyncMs: durationMs('resync', fromEnv(v.resync, 'RESYNC'), d.resyncMs),
    readyTimeoutMs: durationMs(
      'ready-timeout',
      fromEnv(v['ready-timeout'], 'READY_TIMEOUT'),
      d.readyTimeoutMs,
    ),
    drainSeconds: intFlag(
      'drain-seconds',
      fromEnv(v['drain-seconds'], 'DRAIN_SECONDS'),
      d.drainSeconds,
      { min: 0, max: 600 },
    ),
    proxyLabels: labels(v['proxy-label']),
    ...(zipkin
      ? {
          zipkin: (({ host, port }) => ({ address: host, port }))(
            hostPort('zipkin-address', zipkin),
          ),
        }
      : {}),
    ...(me ? { self: me } : {}),
  };
  const ports = [c.capturePort, c.adminPort, c.statsPort];
  if (new Set(ports).size !== ports.length) {
    throw new InvalidArgumentError(
      `--capture-port, --admin-port and --stats-port must differ, got ${ports.join(', ')}`,
    );
  }
  return c;
}

/** --runtime and the runtimes' flags (each with its environment fallback). */
export function runtimeFromFlags(v: AgentFlagValues): RuntimeSettings {
  return runtimeSettings({
    runtime: fromEnv(v.runtime, 'RUNTIME'),
    dockerHost: fromEnv(v['docker-host'], 'DOCKER_HOST'),
    containerdAddress: fromEnv(v['containerd-address'], 'CONTAINERD_ADDRESS'),
    proxyLogDir: fromEnv(v['proxy-log-dir'], 'PROXY_LOG_DIR'),
    proxyCgroupParent: fromEnv(v['proxy-cgroup-parent'], 'PROXY_CGROUP_PARENT'),
    hostRunDir: fromEnv(v['host-run-dir'], 'HOST_RUN_DIR'),
  });
}
