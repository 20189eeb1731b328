// Which lists merge, and by what key, in a strategic merge patch: the patchStrategy /
// patchMergeKey tags of the Kubernetes Go types the fake serves, looked up by field path.
import { isObject, type JsonValue } from '../json.js';

export type ListStrategy =
  { kind: 'replace' } | { kind: 'primitive' } | { kind: 'keyed'; key: string };

/** Fields merged by key wherever they appear. */
const BY_FIELD: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  imagePullSecrets: 'name',
  resourceClaims: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ownerReferences: 'uid',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  podIPs: 'ip',
  hostIPs: 'ip',
};

function last(path: string[], n = 1): string | undefined {
  return path[path.length - n];
}

/** `ports` merge by containerPort in containers and by port in a Service spec; else atomic. */
function portsStrategy(path: string[], items: JsonValue[]): ListStrategy {
  if (items.some((i) => isObject(i) && i.containerPort !== undefined))
    return { kind: 'keyed', key: 'containerPort' };
  if (path.length === 2 && path[0] === 'spec') return { kind: 'keyed', key: 'port' };
  return { kind: 'replace' };
}

export function mergeStrategyFor(path: string[], items: JsonValue[]): ListStrategy {
  const field = last(path) ?? '';
  if (field === 'finalizers' && last(path, 2) === 'metadata') return { kind: 'primitive' };
  if (field === 'ports') return portsStrategy(path, items);
  if (field === 'conditions' && last(path, 2) === 'status') return { kind: 'keyed', key: 'type' };
  if (field === 'addresses' && path.length === 2 && path[0] === 'status')
    return { kind: 'keyed', key: 'type' };
  const key = BY_FIELD[field];
  return key ? { kind: 'keyed', key } : { kind: 'replace' };
}
