// A Docker container list entry → ProxyInfo, or undefined when it lacks our labels.
import type Docker from 'dockerode';
import type { ProxyInfo, ProxyState } from './types.js';
import { PROXY_LABELS } from './types.js';

const STATES: readonly ProxyState[] = ['created', 'running', 'restarting', 'exited', 'dead'];

function stateOf(s: string): ProxyState {
  return (STATES as readonly string[]).includes(s) ? (s as ProxyState) : 'unknown';
}

export function toProxyInfo(c: Docker.ContainerInfo): ProxyInfo | undefined {
  const l = c.Labels ?? {};
  const name = l[PROXY_LABELS.pod];
  const namespace = l[PROXY_LABELS.namespace];
  if (!name || !namespace) return undefined;
  return {
    id: c.Id,
    pod: { name, namespace, uid: l[PROXY_LABELS.podUid] ?? '' },
    sandboxId: l[PROXY_LABELS.sandbox] ?? '',
    state: stateOf(c.State),
    status: c.Status,
    image: c.Image,
    created: new Date(c.Created * 1000),
  };
}
