// The Deployment controller: a ReplicaSet `<deployment>-<pod-template-hash>` per pod template,
// scaled to .spec.replicas; older ReplicaSets are scaled to 0 (a simple rollout). Deployment
// status sums its ReplicaSets.
import {
  asNumber,
  asObject,
  asString,
  clone,
  ensureObject,
  getIn,
  type JsonObject,
} from '../json.js';
import {
  annotationsOf,
  controllerRef,
  labelsOf,
  metadataOf,
  nameOf,
  namespaceOf,
  timestamp,
  type KubeObject,
} from '../kube.js';
import type { ObjectApi } from '../objects.js';
import type { Controller } from './runner.js';
import { R, omitEmpty, ownedBy, setStatus, templateHash, tolerant } from './util.js';

export const HASH_LABEL = 'pod-template-hash';
const REVISION = 'deployment.kubernetes.io/revision';

function replicasOf(obj: KubeObject): number {
  return asNumber(getIn(obj, ['spec', 'replicas'])) ?? 1;
}

function newReplicaSet(d: KubeObject, hash: string, revision: number): KubeObject {
  const template = clone(asObject(getIn(d, ['spec', 'template'])) ?? {});
  ensureObject(ensureObject(template, 'metadata'), 'labels')[HASH_LABEL] = hash;
  const selector = clone(asObject(getIn(d, ['spec', 'selector'])) ?? {});
  ensureObject(selector, 'matchLabels')[HASH_LABEL] = hash;
  const labels = {
    ...(asObject(getIn(d, ['spec', 'template', 'metadata', 'labels'])) ?? {}),
    [HASH_LABEL]: hash,
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${nameOf(d)}-${hash}`,
      namespace: namespaceOf(d),
      labels,
      annotations: {
        'deployment.kubernetes.io/desired-replicas': String(replicasOf(d)),
        'deployment.kubernetes.io/max-replicas': String(replicasOf(d) + 1),
        [REVISION]: String(revision),
      },
      ownerReferences: [controllerRef(d)],
    },
    spec: {
      replicas: replicasOf(d),
      minReadySeconds: asNumber(getIn(d, ['spec', 'minReadySeconds'])) ?? 0,
      selector,
      template,
    },
  };
}

function condition(
  type: string,
  ok: boolean,
  reason: string,
  message: string,
  old: JsonObject[],
): JsonObject {
  const status = ok ? 'True' : 'False';
  const prev = old.find((c) => c.type === type);
  const same = prev?.status === status && prev.reason === reason;
  const now = timestamp();
  return {
    type,
    status,
    lastUpdateTime: same ? (prev.lastUpdateTime ?? now) : now,
    lastTransitionTime: prev?.status === status ? (prev.lastTransitionTime ?? now) : now,
    reason,
    message,
  };
}

export class DeploymentController implements Controller {
  readonly name = 'deployment-controller';

  constructor(private readonly api: ObjectApi) {}

  reconcile(): void {
    const sets = this.api.store.list(R.replicasets);
    for (const d of this.api.store.list(R.deployments)) {
      if (getIn(d, ['metadata', 'deletionTimestamp']) !== undefined) continue;
      tolerant(() => this.sync(d, ownedBy(sets, d)));
    }
  }

  private sync(d: KubeObject, owned: KubeObject[]): void {
    const hash = templateHash(getIn(d, ['spec', 'template']));
    const current = owned.find((rs) => labelsOf(rs)[HASH_LABEL] === hash);
    const desired = replicasOf(d);
    if (!current && getIn(d, ['spec', 'paused']) !== true) {
      const revision =
        Math.max(0, ...owned.map((rs) => Number(annotationsOf(rs)[REVISION] ?? 0))) + 1;
      this.api.create(R.replicasets, namespaceOf(d), newReplicaSet(d, hash, revision));
    } else if (current && replicasOf(current) !== desired) this.scale(current, desired, d);
    for (const old of owned.filter((rs) => rs !== current && replicasOf(rs) !== 0))
      this.scale(old, 0, d);
    this.updateStatus(d, owned, current);
  }

  private scale(rs: KubeObject, replicas: number, d: KubeObject): void {
    const next = clone(rs);
    ensureObject(next, 'spec').replicas = replicas;
    const ann = ensureObject(metadataOf(next), 'annotations');
    ann['deployment.kubernetes.io/desired-replicas'] = String(replicasOf(d));
    ann['deployment.kubernetes.io/max-replicas'] = String(replicasOf(d) + 1);
    delete metadataOf(next).resourceVersion;
    this.api.update(R.replicasets, rs, next);
  }

  private updateStatus(d: KubeObject, owned: KubeObject[], current: KubeObject | undefined): void {
    const sum = (field: string): number =>
      owned.reduce((n, rs) => n + (asNumber(getIn(rs, ['status', field])) ?? 0), 0);
    const desired = replicasOf(d);
    const available = sum('availableReplicas');
    const updated = asNumber(getIn(current, ['status', 'replicas'])) ?? 0;
    const old = (getIn(d, ['status', 'conditions']) as JsonObject[] | undefined) ?? [];
    const complete = updated === desired && sum('replicas') === desired && available === desired;
    const status = omitEmpty({
      observedGeneration: getIn(d, ['metadata', 'generation']) as number,
      replicas: sum('replicas'),
      updatedReplicas: updated,
      readyReplicas: sum('readyReplicas'),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, desired - available),
      conditions: [
        condition(
          'Available',
          available >= desired,
          available >= desired ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
          available >= desired
            ? 'Deployment has minimum availability.'
            : 'Deployment does not have minimum availability.',
          old,
        ),
        condition(
          'Progressing',
          true,
          complete ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
          `ReplicaSet "${current ? nameOf(current) : ''}" ${complete ? 'has successfully progressed.' : 'is progressing.'}`,
          old,
        ),
      ],
    });
    setStatus(this.api, R.deployments, d, status);
  }
}

export function revisionOf(rs: KubeObject): string {
  return asString(annotationsOf(rs)[REVISION]) ?? '';
}
