// Finding a pod's sandbox through CRI: ListPodSandbox by the kubelet's pod-uid label and READY
// state (newest first, metadata must match the pod), then PodSandboxStatus(verbose) for the
// sandbox pid and network namespace path (containerd's `info` JSON), cross-checked on /proc.
import { TrafficError } from '../../../lib/errors.js';
import type { HostPathMap } from '../host-run.js';
import type { PodRef } from '../types.js';
import type { ContainerdApi, Mount } from './api.js';
import { isNotFound, runtimeError } from './grpc.js';
import { checkNetns } from './netns-check.js';

export const POD_UID_LABEL = 'io.kubernetes.pod.uid';
const SANDBOX_ID = /^[0-9a-f]{64}$/;
const SAFE_PATH = /^\/[A-Za-z0-9._/:-]{1,4000}$/;

export interface SandboxDetails {
  id: string;
  pid: number;
  /** The network namespace bind mount, or /proc/<pid>/ns/net when CRI gives none. */
  netnsPath: string;
  ip: string;
  /** Host path of the sandbox's resolv.conf (hosts and hostname are beside it). */
  resolvConf?: string;
}

interface CriSandbox {
  id: string;
  metadata: { name: string; uid: string; namespace: string } | null;
  created_at: number;
}

interface SpecInfo {
  pid?: unknown;
  runtimeSpec?: {
    linux?: { namespaces?: Array<{ type?: string; path?: string }> };
    mounts?: Array<Partial<Mount> & { destination?: string }>;
  };
}

export function safePath(p: unknown): string | undefined {
  return typeof p === 'string' && SAFE_PATH.test(p) && !p.split('/').includes('..') ? p : undefined;
}

export async function readySandboxes(api: ContainerdApi, pod: PodRef): Promise<CriSandbox[]> {
  try {
    const r = await api.runtime.unary<{ items: CriSandbox[] }>('ListPodSandbox', {
      filter: { label_selector: { [POD_UID_LABEL]: pod.uid }, state: { state: 'SANDBOX_READY' } },
    });
    return r.items
      .filter((s) => SANDBOX_ID.test(s.id))
      .filter((s) => s.metadata?.name === pod.name && s.metadata.namespace === pod.namespace)
      .sort((a, b) => b.created_at - a.created_at);
  } catch (err) {
    throw runtimeError(`listing the sandboxes of ${pod.namespace}/${pod.name}`, err);
  }
}

function parseInfo(raw: string | undefined, id: string): SpecInfo {
  try {
    const v: unknown = JSON.parse(raw ?? '');
    if (typeof v === 'object' && v !== null) return v;
  } catch {
    // fall through
  }
  throw new TrafficError('TM_RUNTIME', `sandbox ${id.slice(0, 12)}: CRI gave no verbose info`);
}

interface StatusReply {
  status: { state: string; network: { ip: string } | null } | null;
  info: Record<string, string>;
}

async function statusOf(api: ContainerdApi, id: string): Promise<StatusReply | undefined> {
  try {
    return await api.runtime.unary<StatusReply>('PodSandboxStatus', {
      pod_sandbox_id: id,
      verbose: true,
    });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw runtimeError(`sandbox ${id.slice(0, 12)} status`, err);
  }
}

function detailsFrom(id: string, ip: string, info: SpecInfo): SandboxDetails | undefined {
  const pid = typeof info.pid === 'number' && Number.isSafeInteger(info.pid) ? info.pid : 0;
  if (pid <= 1) return undefined;
  const ns = info.runtimeSpec?.linux?.namespaces?.find((n) => n.type === 'network');
  const resolv = info.runtimeSpec?.mounts?.find((m) => m.destination === '/etc/resolv.conf');
  const resolvConf = safePath(resolv?.source);
  return {
    id,
    pid,
    netnsPath: safePath(ns?.path) ?? `/proc/${pid}/ns/net`,
    ip,
    ...(resolvConf ? { resolvConf } : {}),
  };
}

/** Pid, netns and DNS files of a READY sandbox, or undefined when it is not READY (any more). */
export async function sandboxDetails(
  api: ContainerdApi,
  id: string,
): Promise<SandboxDetails | undefined> {
  if (!SANDBOX_ID.test(id)) {
    throw new TrafficError('TM_INVALID_ARGUMENT', `invalid sandbox id ${id}`);
  }
  const r = await statusOf(api, id);
  if (!r || r.status?.state !== 'SANDBOX_READY') return undefined;
  return detailsFrom(id, r.status.network?.ip ?? '', parseInfo(r.info.info, id));
}

/**
 * The newest READY sandbox of the pod, checked against /proc; undefined when there is none.
 * `agentPath`: where the agent opens the netns file CRI names on the host (--host-run-dir).
 */
export async function findPodSandbox(
  api: ContainerdApi,
  pod: PodRef & { ip?: string },
  agentPath: HostPathMap = (p) => p,
): Promise<SandboxDetails | undefined> {
  for (const s of await readySandboxes(api, pod)) {
    const d = await sandboxDetails(api, s.id);
    if (!d) continue;
    if (pod.ip && d.ip && pod.ip !== d.ip) {
      throw new TrafficError(
        'TM_RUNTIME',
        `sandbox ${s.id.slice(0, 12)} has IP ${d.ip}, the pod ${pod.ip}`,
      );
    }
    const problem = await checkNetns({ ...d, netnsPath: agentPath(d.netnsPath) ?? d.netnsPath });
    if (problem) throw new TrafficError('TM_RUNTIME', `sandbox ${s.id.slice(0, 12)}: ${problem}`);
    return d;
  }
  return undefined;
}
