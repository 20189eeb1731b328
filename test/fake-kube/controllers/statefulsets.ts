// The StatefulSet controller: pods `<name>-0 … <name>-(n-1)` with the stable-identity labels.
// Pods are created in parallel (as with podManagementPolicy: Parallel, whatever the policy says);
// pods from an older template revision are deleted and recreated; ordinals >= replicas go away.
import { asNumber, asString, getIn } from '../json.js';
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

export class StatefulSetController implements Controller {
  readonly name = 'statefulset-controller';

  constructor(private readonly api: ObjectApi) {}

  reconcile(): void {
    const pods = this.api.store.list(R.pods);
    for (const sts of this.api.store.list(R.statefulsets)) {
      if (getIn(sts, ['metadata', 'deletionTimestamp']) !== undefined) continue;
      tolerant(() => this.sync(sts, ownedBy(pods, sts)));
    }
  }

  private sync(sts: KubeObject, owned: KubeObject[]): void {
    const name = nameOf(sts);
    const revision = `${name}-${templateHash(getIn(sts, ['spec', 'template']))}`;
    const desired = asNumber(getIn(sts, ['spec', 'replicas'])) ?? 1;
    const ordinal = (p: KubeObject): number => Number(nameOf(p).slice(name.length + 1));
    for (const pod of owned.filter(isPodActive)) {
      if (ordinal(pod) >= desired || labelsOf(pod)[REVISION_LABEL] !== revision) {
        tolerant(() => this.api.remove(R.pods, namespaceOf(pod), nameOf(pod)));
      }
    }
    for (let i = 0; i < desired; i++) {
      const podName = `${name}-${i}`;
      if (this.api.store.get(R.pods, namespaceOf(sts), podName)) continue;
      const serviceName = asString(getIn(sts, ['spec', 'serviceName']));
      createPod(this.api, sts, getIn(sts, ['spec', 'template']), {
        name: podName,
        labels: {
          [REVISION_LABEL]: revision,
          'statefulset.kubernetes.io/pod-name': podName,
          'apps.kubernetes.io/pod-index': String(i),
        },
        spec: (spec) => {
          spec.hostname = podName;
          if (serviceName) spec.subdomain = serviceName;
        },
      });
    }
    this.updateStatus(sts, revision);
  }

  private updateStatus(sts: KubeObject, revision: string): void {
    const pods = ownedBy(this.api.store.list(R.pods), sts).filter(isPodActive);
    const ready = pods.filter(isPodReady).length;
    const current = pods.filter((p) => labelsOf(p)[REVISION_LABEL] === revision).length;
    const status = omitEmpty(
      {
        observedGeneration: asNumber(getIn(sts, ['metadata', 'generation'])) ?? 1,
        replicas: pods.length,
        readyReplicas: ready,
        currentReplicas: current,
        updatedReplicas: current,
        availableReplicas: ready,
        currentRevision: revision,
        updateRevision: revision,
        collisionCount: 0,
      },
      ['replicas', 'availableReplicas', 'collisionCount'],
    );
    setStatus(this.api, R.statefulsets, sts, status);
  }
}
