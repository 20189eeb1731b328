// A containerd container record + its task → ProxyInfo, with Docker-like state and status words
// ("Up 3 minutes", "Exited (1) 2 seconds ago") so envoy-tools reads the same on both runtimes.
// A container without a task (start interrupted, or the node rebooted) counts as exited.
import type { NativeContainer, TaskProcess } from './containerd/api.js';
import { toDate } from './containerd/api.js';
import type { ProxyInfo, ProxyState } from './types.js';
import { PROXY_LABELS } from './types.js';

export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return s <= 1 ? 'Less than a second' : `${s} seconds`;
  const m = Math.round(s / 60);
  if (m < 60) return m === 1 ? 'About a minute' : `${m} minutes`;
  const h = Math.round(m / 60);
  return h < 48 ? (h === 1 ? 'About an hour' : `${h} hours`) : `${Math.round(h / 24)} days`;
}

function stateOf(task: TaskProcess | undefined): ProxyState {
  switch (task?.status) {
    case 'RUNNING':
    case 'PAUSED':
    case 'PAUSING':
      return 'running';
    case 'CREATED':
      return 'created';
    case 'STOPPED':
    case undefined:
      return 'exited';
    default:
      return 'unknown';
  }
}

function statusOf(c: NativeContainer, task: TaskProcess | undefined, now: number): string {
  const state = stateOf(task);
  if (state === 'running') return `Up ${ago(now - toDate(c.created_at).getTime())}`;
  if (state === 'created') return 'Created';
  if (!task) return 'Exited (no task)';
  const exited = toDate(task.exited_at).getTime();
  return `Exited (${task.exit_status}) ${ago(now - exited)} ago`;
}

export function toProxyInfo(
  c: NativeContainer,
  task: TaskProcess | undefined,
  now = Date.now(),
): ProxyInfo | undefined {
  const l = c.labels ?? {};
  const name = l[PROXY_LABELS.pod];
  const namespace = l[PROXY_LABELS.namespace];
  if (!name || !namespace) return undefined;
  return {
    id: c.id,
    pod: { name, namespace, uid: l[PROXY_LABELS.podUid] ?? '' },
    sandboxId: l[PROXY_LABELS.sandbox] ?? '',
    state: stateOf(task),
    status: statusOf(c, task, now),
    image: c.image,
    created: toDate(c.created_at),
  };
}
