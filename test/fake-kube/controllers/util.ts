// Helpers shared by the controllers: resource handles, idempotent writes, pod readiness.
import { KubeError } from '../errors.js';
import {
  asObjects,
  canonicalJson,
  clone,
  deepEqual,
  getIn,
  isObject,
  type JsonObject,
} from '../json.js';
import {
  controllerOf,
  fnv32a,
  isTerminating,
  labelsOf,
  nameOf,
  namespaceOf,
  safeEncode,
  uidOf,
  type KubeObject,
} from '../kube.js';
import type { ObjectApi } from '../objects.js';
import { byPlural, type ResourceDef } from '../registry.js';
import { matchLabels, requirementsFromLabelSelector } from '../selectors/labels.js';

function must(apiVersion: string, plural: string): ResourceDef {
  const res = byPlural(apiVersion, plural);
  if (!res) throw new Error(`fake-kube: no resource ${apiVersion} ${plural}`);
  return res;
}

export const R = {
  namespaces: must('v1', 'namespaces'),
  nodes: must('v1', 'nodes'),
  pods: must('v1', 'pods'),
  services: must('v1', 'services'),
  endpoints: must('v1', 'endpoints'),
  endpointslices: must('discovery.k8s.io/v1', 'endpointslices'),
  deployments: must('apps/v1', 'deployments'),
  replicasets: must('apps/v1', 'replicasets'),
  statefulsets: must('apps/v1', 'statefulsets'),
  daemonsets: must('apps/v1', 'daemonsets'),
} as const;

/** Writes .status through the status subresource when it differs. */
export function setStatus(
  api: ObjectApi,
  res: ResourceDef,
  obj: KubeObject,
  status: JsonObject,
): void {
  if (deepEqual(obj.status ?? {}, status)) return;
  api.update(res, obj, { ...clone(obj), status }, { subresource: 'status' });
}

/** Swallows NotFound/AlreadyExists/Conflict: the next pass sees the new state and retries. */
export function tolerant(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (err instanceof KubeError && [404, 409].includes(err.code)) return;
    throw err;
  }
}

export function isPodReady(pod: KubeObject): boolean {
  return asObjects(getIn(pod, ['status', 'conditions'])).some(
    (c) => c.type === 'Ready' && c.status === 'True',
  );
}

export function isPodActive(pod: KubeObject): boolean {
  const phase = getIn(pod, ['status', 'phase']);
  return !isTerminating(pod) && phase !== 'Succeeded' && phase !== 'Failed';
}

/** Objects whose controller ownerReference points at `owner`. */
export function ownedBy<T extends KubeObject>(objects: T[], owner: KubeObject): T[] {
  const uid = uidOf(owner);
  return objects.filter(
    (o) => controllerOf(o)?.uid === uid && namespaceOf(o) === namespaceOf(owner),
  );
}

/** pod-template-hash: FNV-32a of the canonical template, spelled in the safe alphabet. */
export function templateHash(template: unknown): string {
  return safeEncode(String(fnv32a(canonicalJson(template ?? {}))));
}

export function selectorMatches(selector: unknown, obj: KubeObject): boolean {
  const reqs = requirementsFromLabelSelector(selector);
  return reqs.length > 0 && matchLabels(reqs, labelsOf(obj));
}

/** Drops zero, empty and false members, like Go's omitempty on status structs. */
export function omitEmpty(status: JsonObject, keep: string[] = []): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(status)) {
    const empty =
      v === undefined ||
      v === 0 ||
      v === '' ||
      (Array.isArray(v) && v.length === 0) ||
      (isObject(v) && Object.keys(v).length === 0);
    if (!empty || keep.includes(k)) out[k] = v;
  }
  return out;
}

export function nameSorted<T extends KubeObject>(objects: T[]): T[] {
  return [...objects].sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
}
