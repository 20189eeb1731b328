// Informers for everything translation reads (Services, EndpointSlices, Pods, the workloads that
// give pods their labels, Ingresses, IngressClasses and the Secrets Ingresses reference), feeding
// the model store. Each restarts on its own after errors; start() resolves when every one has
// listed once. IngressClasses are optional (only the default-class rule needs them): start()
// waits for their first list attempt, not its success, so a cluster that does not serve or allow
// them still comes up; and for the first list of the referenced Secrets for a few seconds at most.
import * as k8s from '@kubernetes/client-node';
import { ResilientInformer, type ChangeType } from '../../lib/informer.js';
import type { Logger } from '../../lib/log.js';
import { SecretWatches } from './secrets.js';
import { slimPod, slimService, slimSlice, slimWorkload, toIdentity } from './slim.js';
import type { Change, ModelStore, WorkloadKind } from './store.js';

export interface WatcherOptions {
  kc: k8s.KubeConfig;
  log: Logger;
  store: ModelStore;
  onChange: (change: Change) => void;
}

type Apply<T> = (type: ChangeType, obj: T) => Change;

const SECRETS_LIST_WAIT_MS = 5000;

export class ClusterWatcher {
  private readonly informers: ResilientInformer<k8s.KubernetesObject>[] = [];
  /** Informers whose first list attempt start() waits for, successful or not. */
  private readonly optional: ResilientInformer<k8s.KubernetesObject>[] = [];
  private readonly attempted: Promise<void>[] = [];
  readonly secrets: SecretWatches;

  constructor(private readonly o: WatcherOptions) {
    const core = o.kc.makeApiClient(k8s.CoreV1Api);
    const apps = o.kc.makeApiClient(k8s.AppsV1Api);
    const disc = o.kc.makeApiClient(k8s.DiscoveryV1Api);
    const s = o.store;
    this.add(
      'services',
      '/api/v1/services',
      () => core.listServiceForAllNamespaces(),
      (t, x: k8s.V1Service) => s.applyService(t, x),
      { slim: slimService },
    );
    this.add(
      'endpointslices',
      '/apis/discovery.k8s.io/v1/endpointslices',
      () => disc.listEndpointSliceForAllNamespaces(),
      (t, x: k8s.V1EndpointSlice) => s.applySlice(t, x),
      { slim: slimSlice },
    );
    this.add(
      'pods',
      '/api/v1/pods',
      () => core.listPodForAllNamespaces(),
      (t, x: k8s.V1Pod) => s.applyPod(t, x),
      { slim: slimPod },
    );
    const workload =
      (kind: WorkloadKind): Apply<k8s.KubernetesObject> =>
      (t, x) =>
        s.applyWorkload(kind, t, x);
    this.add(
      'deployments',
      '/apis/apps/v1/deployments',
      () => apps.listDeploymentForAllNamespaces(),
      workload('Deployment'),
      { slim: slimWorkload },
    );
    this.add(
      'replicasets',
      '/apis/apps/v1/replicasets',
      () => apps.listReplicaSetForAllNamespaces(),
      workload('ReplicaSet'),
      { slim: slimWorkload },
    );
    this.add(
      'statefulsets',
      '/apis/apps/v1/statefulsets',
      () => apps.listStatefulSetForAllNamespaces(),
      workload('StatefulSet'),
      { slim: slimWorkload },
    );
    this.add(
      'daemonsets',
      '/apis/apps/v1/daemonsets',
      () => apps.listDaemonSetForAllNamespaces(),
      workload('DaemonSet'),
      { slim: slimWorkload },
    );
    const net = o.kc.makeApiClient(k8s.NetworkingV1Api);
    this.secrets = new SecretWatches(o.kc, s, o.log, (c) => this.emit(c, 'secrets'));
    const thenSecrets =
      <T>(apply: Apply<T>): Apply<T> =>
      (t, x) => {
        const c = apply(t, x);
        this.secrets.sync();
        return c;
      };
    this.add(
      'ingresses',
      '/apis/networking.k8s.io/v1/ingresses',
      () => net.listIngressForAllNamespaces(),
      thenSecrets((t, x: k8s.V1Ingress) => s.applyIngress(t, x)),
    );
    let attempted: () => void = () => {};
    this.attempted.push(new Promise<void>((r) => (attempted = r)));
    this.add(
      'ingressclasses',
      '/apis/networking.k8s.io/v1/ingressclasses',
      () => net.listIngressClass().finally(attempted),
      thenSecrets((t, x: k8s.V1IngressClass) => s.applyIngressClass(t, x)),
      { optional: true },
    );
  }

  private add<T extends k8s.KubernetesObject>(
    name: string,
    path: string,
    list: () => Promise<k8s.KubernetesListObject<T>>,
    apply: Apply<T>,
    more: { slim?: (obj: T) => T; optional?: boolean } = {},
  ): void {
    const inf = new ResilientInformer<T>({
      name,
      // Once the store has converted a slim copy, the cache keeps only its identity.
      slim: more.slim,
      shrink: more.slim ? toIdentity : undefined,
      kc: this.o.kc,
      path,
      list,
      log: this.o.log,
      onChange: (type, obj) => {
        try {
          this.o.onChange(apply(type, obj));
        } catch (err) {
          this.o.log.error(
            { err, informer: name, name: obj.metadata?.name },
            'applying a change failed',
          );
        }
      },
    });
    const any = inf as unknown as ResilientInformer<k8s.KubernetesObject>;
    (more.optional ? this.optional : this.informers).push(any);
  }

  private emit(c: Change, informer: string): void {
    try {
      this.o.onChange(c);
    } catch (err) {
      this.o.log.error({ err, informer }, 'applying a change failed');
    }
  }

  async start(): Promise<void> {
    for (const i of this.optional) {
      i.start().catch((err: unknown) => this.o.log.error({ err }, 'informer failed'));
    }
    await Promise.all([...this.informers.map((i) => i.start()), ...this.attempted]);
    await this.secrets.listed(SECRETS_LIST_WAIT_MS);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers, ...this.optional].map((i) => i.stop()));
    await this.secrets.stop();
  }
}
