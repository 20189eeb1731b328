// The containerd runtime's settings, checked before anything reaches containerd or runc.
import { InvalidArgumentError } from '../../../lib/errors.js';
import { hostPathMap, type HostPathMap } from '../host-run.js';
import { validLogDir } from './logs.js';

export const DEFAULT_CONTAINERD_ADDRESS = '/run/containerd/containerd.sock';
export const DEFAULT_PROXY_NAMESPACE = 'traffic-manager';
export const DEFAULT_PROXY_LOG_DIR = '/var/log/traffic-manager/proxies';

export interface ContainerdRuntimeOptions {
  /** containerd's socket (`unix:///…` or a path). */
  address: string;
  /** The agent's node: its proxies carry it, and only they are listed. */
  node?: string;
  /** containerd namespace of the proxies (never k8s.io). */
  namespace?: string;
  /** Host directory of the proxies' log files (mounted at the same path in the agent pod). */
  logDir?: string;
  /** cgroup parent of the proxies (cgroupfs path). */
  cgroupParent?: string;
  snapshotter?: string;
  /** The host's /run as mounted in the agent: CRI's netns files are checked through it. */
  hostRunDir?: string;
  /** Limits when the ProxySpec gives none. */
  memoryBytes?: number;
  nanoCpus?: number;
}

const NAMESPACE = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,62}[A-Za-z0-9])?$/;
const NODE = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const CGROUP = /^(\/[A-Za-z0-9._-]{1,100}){1,8}$/;
const LABEL_KEY = /^[A-Za-z0-9]([A-Za-z0-9./_-]{0,252}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^[A-Za-z0-9._:/=+@-]{0,4096}$/;

export function check(what: string, re: RegExp, v: string): string {
  if (!re.test(v)) throw new InvalidArgumentError(`invalid ${what} "${v}"`);
  return v;
}

export function checkLabels(labels: Record<string, string> | undefined): Record<string, string> {
  for (const [k, v] of Object.entries(labels ?? {})) {
    check('label key', LABEL_KEY, k);
    check('label value', LABEL_VALUE, v);
  }
  return { ...labels };
}

export interface ResolvedOptions {
  address: string;
  namespace: string;
  node: string | undefined;
  logDir: string;
  cgroupParent: string;
  snapshotter: string;
  limits: { memoryBytes: number; nanoCpus: number };
  /** A host path as the agent opens it (through hostRunDir). */
  agentPath: HostPathMap;
}

export function resolveOptions(o: ContainerdRuntimeOptions): ResolvedOptions {
  const namespace = check(
    'containerd namespace',
    NAMESPACE,
    o.namespace ?? DEFAULT_PROXY_NAMESPACE,
  );
  if (namespace === 'k8s.io') throw new InvalidArgumentError('proxies never live in k8s.io');
  const positive = (n: number | undefined, d: number): number =>
    n !== undefined && Number.isSafeInteger(n) && n > 0 ? n : d;
  return {
    address: o.address,
    namespace,
    node: o.node === undefined ? undefined : check('node name', NODE, o.node),
    logDir: validLogDir(o.logDir ?? DEFAULT_PROXY_LOG_DIR),
    cgroupParent: check('cgroup parent', CGROUP, o.cgroupParent ?? '/traffic-manager'),
    snapshotter: check('snapshotter', NAMESPACE, o.snapshotter ?? 'overlayfs'),
    limits: {
      memoryBytes: positive(o.memoryBytes, 512 << 20),
      nanoCpus: positive(o.nanoCpus, 1e9),
    },
    agentPath: hostPathMap(o.hostRunDir),
  };
}
