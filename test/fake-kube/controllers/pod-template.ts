// Pods stamped out of a workload's pod template, owned by the workload.
import { asObject, clone, getIn, type JsonObject } from '../json.js';
import { controllerRef, namespaceOf, type KubeObject } from '../kube.js';
import type { ObjectApi } from '../objects.js';
import { R } from './util.js';

export interface PodStamp {
  /** Exact name, or undefined to use generateName `${prefix}` + 5 random characters. */
  name?: string;
  generateName?: string;
  labels?: Record<string, string>;
  spec?: (spec: JsonObject) => void;
}

export function podFromTemplate(owner: KubeObject, template: unknown, stamp: PodStamp): KubeObject {
  const tmeta = asObject(getIn(template, ['metadata'])) ?? {};
  const metadata: JsonObject = {
    namespace: namespaceOf(owner),
    labels: { ...(asObject(tmeta.labels) ?? {}), ...(stamp.labels ?? {}) },
    ownerReferences: [controllerRef(owner)],
  };
  if (stamp.name) metadata.name = stamp.name;
  else metadata.generateName = stamp.generateName ?? '';
  const annotations = asObject(tmeta.annotations);
  if (annotations) metadata.annotations = clone(annotations);
  const spec = clone(asObject(getIn(template, ['spec'])) ?? {});
  stamp.spec?.(spec);
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

export function createPod(
  api: ObjectApi,
  owner: KubeObject,
  template: unknown,
  stamp: PodStamp,
): KubeObject {
  return api.create(R.pods, namespaceOf(owner), podFromTemplate(owner, template, stamp));
}
