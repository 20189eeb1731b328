// The ReplicaSet controller: keeps `.spec.replicas` active pods named `<rs>-<5 random>` from the
// template (ownerReference controller:true), deletes extras (unscheduled, pending, not-ready and
// newest first), and reports counts in .status.
import { asNumber, getIn } from '../json.js';
import { nameOf, namespaceOf, type KubeObject } from '../kube.js';
import type { ObjectApi } from '../objects.js';
import { createPod } from './pod-template.js';
import type { Controller } from './runner.js';
import {
  R,
  isPodActive,
  isPodReady,
  omitEmpty,
  ownedBy,
  selectorMatches,
  setStatus,
  tolerant,
} from './util.js';

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** Lower sorts first = deleted first, like the controller's ActivePods ordering. */
function deletionRank(a: KubeObject, b: KubeObject): number {
  const assigned = (p: KubeObject): number => (getIn(p, ['spec', 'nodeName']) ? 1 : 0);
  const phase = (p: KubeObject): number => PHASE_RANK[String(getIn(p, ['status', 'phase']))] ?? 0;
  const ready = (p: KubeObject): number => (isPodReady(p) ? 1 : 0);
  const created = (p: KubeObject): number =>
    Date.parse(String(getIn(p, ['metadata', 'creationTimestamp'])));
  return (
    assigned(a) - assigned(b) ||
    phase(a) - phase(b) ||
    ready(a) - ready(b) ||
    created(b) - created(a) ||
    nameOf(b).localeCompare(nameOf(a))
  );
}

export class ReplicaSetController implements Controller {
  readonly name = 'replicaset-controller';

  constructor(private readonly api: ObjectApi) {}

  reconcile(): void {
    const pods = this.api.store.list(R.pods);
    for (const rs of this.api.store.list(R.replicasets)) {
      if (getIn(rs, ['metadata', 'deletionTimestamp']) !== undefined) continue;
      tolerant(() => this.sync(rs, ownedBy(pods, rs)));
    }
  }

  private sync(rs: KubeObject, owned: KubeObject[]): void {
    const active = owned.filter(isPodActive);
    const desired = asNumber(getIn(rs, ['spec', 'replicas'])) ?? 1;
    const template = getIn(rs, ['spec', 'template']);
    for (let i = active.length; i < desired; i++) {
      active.push(createPod(this.api, rs, template, { generateName: `${nameOf(rs)}-` }));
    }
    if (active.length > desired) {
      const doomed = [...active].sort(deletionRank).slice(0, active.length - desired);
      for (const pod of doomed)
        tolerant(() => this.api.remove(R.pods, namespaceOf(pod), nameOf(pod)));
      active.splice(0, active.length, ...active.filter((p) => !doomed.includes(p)));
    }
    const ready = active.filter(isPodReady).length;
    const status = omitEmpty(
      {
        replicas: active.length,
        fullyLabeledReplicas: active.filter((p) =>
          selectorMatches(getIn(rs, ['spec', 'selector']), p),
        ).length,
        readyReplicas: ready,
        availableReplicas: ready,
        observedGeneration: asNumber(getIn(rs, ['metadata', 'generation'])) ?? 1,
      },
      ['replicas'],
    );
    setStatus(this.api, R.replicasets, rs, status);
  }
}
