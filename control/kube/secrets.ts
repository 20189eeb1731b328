// Secrets are read only when an Ingress references them, one narrow watch per Secret
// (namespace + metadata.name field selector), never a cluster-wide list: traffic-control must
// not hold, or be able to serve, Secrets nobody routed to (the original served them all).
import * as k8s from '@kubernetes/client-node';
import { ResilientInformer } from '../../lib/informer.js';
import type { Logger } from '../../lib/log.js';
import type { ObjectKey } from '../model/types.js';
import type { ModelStore } from './store.js';

export class SecretWatches {
  private readonly watches = new Map<ObjectKey, ResilientInformer<k8s.V1Secret>>();
  private readonly core: k8s.CoreV1Api;

  constructor(
    private readonly kc: k8s.KubeConfig,
    private readonly store: ModelStore,
    private readonly log: Logger,
  ) {
    this.core = kc.makeApiClient(k8s.CoreV1Api);
  }

  /** Starts watches for newly referenced Secrets and stops (and forgets) unreferenced ones. */
  sync(): void {
    const wanted = this.store.referencedSecrets();
    for (const [key, w] of this.watches) {
      if (wanted.has(key)) continue;
      this.watches.delete(key);
      this.store.forgetSecret(key);
      void w.stop();
    }
    for (const key of wanted) if (!this.watches.has(key)) this.watch(key);
  }

  private watch(key: ObjectKey): void {
    const [namespace = '', name = ''] = key.split('/');
    const fieldSelector = `metadata.name=${name}`;
    const inf = new ResilientInformer<k8s.V1Secret>({
      name: `secret ${key}`,
      kc: this.kc,
      path: `/api/v1/namespaces/${namespace}/secrets`,
      list: () => this.core.listNamespacedSecret({ namespace, fieldSelector }),
      fieldSelector,
      log: this.log,
      onChange: (type, obj) => this.store.applySecret(type, obj),
    });
    this.watches.set(key, inf);
    inf
      .start()
      .catch((err: unknown) => this.log.error({ err, secret: key }, 'secret watch failed'));
  }

  get count(): number {
    return this.watches.size;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.watches.values()].map((w) => w.stop()));
    this.watches.clear();
  }
}
