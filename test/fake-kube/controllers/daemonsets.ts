// The DaemonSet controller: one pod per eligible Node (template nodeSelector), pinned to its node
// with required node affinity on metadata.name as the real controller does (the scheduler, here
// the kubelet simulation, then binds it). Pods of an older template are replaced.
import {
  asArray,
  asNumber,
  asObject,
  asObjects,
  clone,
  ensureObject,
  getIn,
  scalarText,
  type JsonObject,
} from '../json.js';
import { labelsOf, nameOf, namespaceOf, type KubeObject } from '../kube.js';
import type { ObjectApi } from '../objects.js';
import { createPod } from './pod-template.js';
import type { Controller } from './runner.js';
import {
  R,
  isPodActive,
  isPodReady,
  omitEmpty,
  ownedBy,
  setStatus,
  templateHash,
  tolerant,
} from './util.js';

const REVISION_LABEL = 'controller-revision-hash';

/** The node a pod is bound or pinned to: spec.nodeName, else a metadata.name matchFields term. */
export function targetNode(pod: KubeObject): string | undefined {
  const bound = getIn(pod, ['spec', 'nodeName']);
  if (typeof bound === 'string' && bound !== '') return bound;
  const terms = asObjects(
    getIn(pod, [
      'spec',
      'affinity',
      'nodeAffinity',
      'requiredDuringSchedulingIgnoredDuringExecution',
      'nodeSelectorTerms',
    ]),
  );
  for (const term of terms) {
    const field = asObjects(term.matchFields).find(
      (f) => f.key === 'metadata.name' && f.operator === 'In',
    );
    const values = asArray(field?.values);
    if (values.length === 1) return scalarText(values[0]);
  }
  return undefined;
}

export function nodeSelectorMatches(podSpec: unknown, node: KubeObject): boolean {
  const selector = asObject(getIn(podSpec, ['nodeSelector'])) ?? {};
  const labels = labelsOf(node);
  return Object.entries(selector).every(([k, v]) => labels[k] === scalarText(v));
}

function pinTo(spec: JsonObject, node: string): void {
  const affinity = ensureObject(spec, 'affinity');
  const nodeAffinity = ensureObject(affinity, 'nodeAffinity');
  nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
    nodeSelectorTerms: [
      { matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] },
    ],
  };
}

export class DaemonSetController implements Controller {
  readonly name = 'daemonset-controller';

  constructor(private readonly api: ObjectApi) {}

  reconcile(): void {
    const pods = this.api.store.list(R.pods);
    const nodes = this.api.store.list(R.nodes);
    for (const ds of this.api.store.list(R.daemonsets)) {
      if (getIn(ds, ['metadata', 'deletionTimestamp']) !== undefined) continue;
      tolerant(() => this.sync(ds, nodes, ownedBy(pods, ds).filter(isPodActive)));
    }
  }

  private sync(ds: KubeObject, nodes: KubeObject[], owned: KubeObject[]): void {
    const template = getIn(ds, ['spec', 'template']);
    const hash = templateHash(template);
    const eligible = nodes
      .filter((n) => nodeSelectorMatches(getIn(template, ['spec']), n))
      .map(nameOf);
    const keep: KubeObject[] = [];
    for (const pod of owned) {
      const node = targetNode(pod);
      const duplicate = keep.some((k) => targetNode(k) === node);
      if (
        !node ||
        !eligible.includes(node) ||
        duplicate ||
        labelsOf(pod)[REVISION_LABEL] !== hash
      ) {
        tolerant(() => this.api.remove(R.pods, namespaceOf(pod), nameOf(pod)));
      } else keep.push(pod);
    }
    for (const node of eligible.filter((n) => !keep.some((p) => targetNode(p) === n))) {
      keep.push(
        createPod(this.api, ds, clone(template), {
          generateName: `${nameOf(ds)}-`,
          labels: {
            [REVISION_LABEL]: hash,
            'pod-template-generation': String(asNumber(getIn(ds, ['metadata', 'generation'])) ?? 1),
          },
          spec: (spec) => pinTo(spec, node),
        }),
      );
    }
    const ready = keep.filter(isPodReady).length;
    const status = omitEmpty(
      {
        currentNumberScheduled: keep.length,
        numberMisscheduled: 0,
        desiredNumberScheduled: eligible.length,
        numberReady: ready,
        observedGeneration: asNumber(getIn(ds, ['metadata', 'generation'])) ?? 1,
        updatedNumberScheduled: keep.length,
        numberAvailable: ready,
        numberUnavailable: Math.max(0, eligible.length - ready),
      },
      ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'],
    );
    setStatus(this.api, R.daemonsets, ds, status);
  }
}
