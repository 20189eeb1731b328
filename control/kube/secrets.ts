// Secrets are read only when one of our Ingresses references them, one narrow watch per Secret
// (namespace + metadata.name field selector), never a cluster-wide list: traffic-control must
// not hold, or be able to serve, Secrets nobody routed to (the original served them all).
// Each change, and each watch's first list (after which a missing Secret is known to be
// missing), is reported as a gateway change.
import * as k8s from '@kubernetes/client-node';
import { ResilientInformer } from '../../lib/informer.js';
import type { Logger } from '../../lib/log.js';
import type { ObjectKey } from '../model/types.js';
import type { Change, ModelStore } from './store.js';

export class SecretWatches {
  private readonly watches = new Map<ObjectKey, ResilientInformer<k8s.V1Secret>>();
  private readonly core: k8s.CoreV1Api;

  constructor(
    private readonly kc: k8s.KubeConfig,
    private readonly store: ModelStore,
    private readonly log: Logger,
    private readonly onChange: (c: Change) => void = () => {},
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
      onChange: (type, obj) => {
        if (this.watches.get(key) === inf) this.onChange(this.store.applySecret(type, obj));
      },
    });
    this.watches.set(key, inf);
    inf.start().then(
      () => {
        if (this.watches.get(key) === inf) this.onChange(this.store.secretListed(key));
      },
      (err: unknown) => this.log.error({ err, secret: key }, 'secret watch failed'),
    );
  }

  /** Resolves when every current watch has listed once, or after `ms`, whichever is first. */
  async listed(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((r) => (timer = setTimeout(r, ms)));
    await Promise.race([Promise.all([...this.watches.values()].map((w) => w.synced)), timeout]);
    clearTimeout(timer);
  }

  get count(): number {
    return this.watches.size;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.watches.values()].map((w) => w.stop()));
    this.watches.clear();
  }
}
