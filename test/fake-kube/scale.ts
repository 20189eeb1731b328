// The `scale` subresource (autoscaling/v1 Scale) of Deployments, ReplicaSets and StatefulSets,
// as used by `kubectl scale`.
import { conflict, invalid } from './errors.js';
import { asNumber, asObject, asString, clone, getIn, isObject } from './json.js';
import { metadataOf, nameOf, resourceVersionOf, type KubeObject } from './kube.js';
import type { ObjectApi } from './objects.js';
import type { ResourceDef } from './registry.js';
import { formatLabelSelector, requirementsFromLabelSelector } from './selectors/labels.js';

export const SCALABLE = new Set(['deployments', 'replicasets', 'statefulsets']);

export function toScale(obj: KubeObject): KubeObject {
  const meta = metadataOf(obj);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
      creationTimestamp: meta.creationTimestamp,
    },
    spec: { replicas: asNumber(getIn(obj, ['spec', 'replicas'])) ?? 1 },
    status: {
      replicas: asNumber(getIn(obj, ['status', 'replicas'])) ?? 0,
      selector: formatLabelSelector(
        requirementsFromLabelSelector(getIn(obj, ['spec', 'selector'])),
      ),
    },
  };
}

/** Applies a new Scale (computed from the current one) to the object's spec.replicas. */
export function writeScale(
  api: ObjectApi,
  res: ResourceDef,
  namespace: string,
  name: string,
  compute: (current: KubeObject) => unknown,
): KubeObject {
  const obj = api.mustGet(res, namespace, name);
  const next = compute(toScale(obj));
  const wanted = isObject(next) ? asString(asObject(next.metadata)?.resourceVersion) : undefined;
  if (wanted && wanted !== resourceVersionOf(obj)) throw conflict(res, name);
  const replicas = getIn(next, ['spec', 'replicas']);
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw invalid(res, nameOf(obj), [
      {
        field: 'spec.replicas',
        message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
      },
    ]);
  }
  const updated = clone(obj);
  (updated.spec as Record<string, unknown>).replicas = replicas;
  delete metadataOf(updated).resourceVersion;
  return toScale(api.update(res, obj, updated));
}
