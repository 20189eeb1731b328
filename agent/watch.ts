// The agent's view of the cluster: pods on this node only (fieldSelector spec.nodeName), and the
// workloads that can enable them (ReplicaSets for the Deployment link, Deployments, StatefulSets,
// DaemonSets). A pod's workload is resolved through ownerReferences, never by selector. Any
// change calls back with the uids of the pods whose desired state may have changed.
import * as k8s from '@kubernetes/client-node';
import { ResilientInformer } from '../lib/informer.js';
import { ENVOY_ENABLED } from '../lib/labels/vocabulary.js';
import type { Logger } from '../lib/log.js';

type Obj = k8s.KubernetesObject;

export interface NodeWatchOptions {
  kc: k8s.KubeConfig;
  nodeName: string;
  log: Logger;
  /** Pods (by uid) to look at again; for a deleted pod, `deleted` carries its last object. */
  onPods: (uids: string[], deleted?: k8s.V1Pod) => void;
}

function controllerOf(o: Obj): k8s.V1OwnerReference | undefined {
  return o.metadata?.ownerReferences?.find((r) => r.controller);
}

export class NodeWatch {
  readonly pods: ResilientInformer<k8s.V1Pod>;
  private readonly workloads = new Map<string, ResilientInformer<Obj>>();

  constructor(private readonly o: NodeWatchOptions) {
    const core = o.kc.makeApiClient(k8s.CoreV1Api);
    const apps = o.kc.makeApiClient(k8s.AppsV1Api);
    const fieldSelector = `spec.nodeName=${o.nodeName}`;
    this.pods = new ResilientInformer<k8s.V1Pod>({
      name: 'pods',
      kc: o.kc,
      path: '/api/v1/pods',
      list: () => core.listPodForAllNamespaces({ fieldSelector }),
      fieldSelector,
      log: o.log,
      onChange: (type, pod) => {
        const uid = pod.metadata?.uid;
        if (uid) o.onPods([uid], type === 'delete' ? pod : undefined);
      },
    });
    this.workload('ReplicaSet', '/apis/apps/v1/replicasets', () =>
      apps.listReplicaSetForAllNamespaces(),
    );
    this.workload('Deployment', '/apis/apps/v1/deployments', () =>
      apps.listDeploymentForAllNamespaces(),
    );
    this.workload('StatefulSet', '/apis/apps/v1/statefulsets', () =>
      apps.listStatefulSetForAllNamespaces(),
    );
    this.workload('DaemonSet', '/apis/apps/v1/daemonsets', () =>
      apps.listDaemonSetForAllNamespaces(),
    );
  }

  private workload(
    kind: string,
    path: string,
    list: () => Promise<k8s.KubernetesListObject<Obj>>,
  ): void {
    const inf = new ResilientInformer<Obj>({
      name: kind,
      kc: this.o.kc,
      path,
      list,
      log: this.o.log,
      onChange: (_type, obj) => this.workloadChanged(obj.metadata?.namespace),
    });
    this.workloads.set(kind, inf);
  }

  /** A workload changed: every pod of ours in its namespace may be affected. */
  private workloadChanged(namespace: string | undefined): void {
    const uids = this.pods
      .list()
      .filter((p) => p.metadata?.namespace === namespace)
      .map((p) => p.metadata?.uid ?? '')
      .filter((u) => u !== '');
    if (uids.length > 0) this.o.onPods(uids);
  }

  async start(): Promise<void> {
    await Promise.all([...this.workloads.values()].map((w) => w.start()));
    await this.pods.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.pods, ...this.workloads.values()].map((i) => i.stop()));
  }

  pod(uid: string): k8s.V1Pod | undefined {
    return this.pods.list().find((p) => p.metadata?.uid === uid);
  }

  allPods(): readonly k8s.V1Pod[] {
    return this.pods.list();
  }

  /** The pod's workload (ReplicaSet → its Deployment, or a StatefulSet / DaemonSet). */
  workloadOf(pod: k8s.V1Pod): Obj | undefined {
    const ns = pod.metadata?.namespace;
    const ref = controllerOf(pod);
    if (!ref) return undefined;
    if (ref.kind === 'StatefulSet' || ref.kind === 'DaemonSet') {
      return this.workloads.get(ref.kind)?.get(ref.name, ns);
    }
    if (ref.kind !== 'ReplicaSet') return undefined;
    const rs = this.workloads.get('ReplicaSet')?.get(ref.name, ns);
    const up = rs ? controllerOf(rs) : undefined;
    if (up?.kind !== 'Deployment') return undefined;
    return this.workloads.get('Deployment')?.get(up.name, ns);
  }

  /** The raw traffic.envoy.enabled label of the pod's workload, if any. */
  workloadEnabled(pod: k8s.V1Pod): string | undefined {
    return this.workloadOf(pod)?.metadata?.labels?.[ENVOY_ENABLED.name];
  }
}
