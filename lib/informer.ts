// A list-and-watch informer that keeps going. client-node 1.4's ListWatch stops for good on any
// error (a dropped connection, a 500, a failed list) and reports stop() as an error too; this
// wrapper restarts it with a capped exponential backoff, ignores its own stop, and says when the
// first full list has been seen (synced). A 410 Gone re-lists inside ListWatch itself.
import * as k8s from '@kubernetes/client-node';
import type { Logger } from './log.js';

export type ChangeType = 'add' | 'update' | 'delete';

export interface InformerOptions<T extends k8s.KubernetesObject> {
  name: string;
  kc: k8s.KubeConfig;
  /** API path to watch, e.g. /api/v1/pods. */
  path: string;
  /** Lists with the same selectors as the watch. */
  list: () => Promise<k8s.KubernetesListObject<T>>;
  labelSelector?: string;
  fieldSelector?: string;
  onChange: (type: ChangeType, obj: T) => void;
  /**
   * What to keep of each listed or watched object (it must keep metadata name, namespace, uid
   * and resourceVersion): the cache, list(), get() and onChange then see only that.
   */
  slim?: (obj: T) => T;
  /**
   * With `slim`: what of the slim copy stays cached once onChange has seen it, in place (at
   * least name, namespace, uid and resourceVersion; and whatever onChange reads on a delete,
   * which after a re-list gets the cached copy). list() and get() then return that.
   */
  shrink?: (obj: T) => void;
  log: Logger;
  backoff?: { initialMs: number; maxMs: number };
}

type ListFn<T extends k8s.KubernetesObject> = () => Promise<k8s.KubernetesListObject<T>>;

function slimList<T extends k8s.KubernetesObject>(list: ListFn<T>, slim?: (o: T) => T): ListFn<T> {
  if (!slim) return list;
  return async () => {
    const l = await list();
    return { ...l, items: l.items.map(slim) };
  };
}

/** A Watch whose added, modified and deleted objects are slimmed before ListWatch sees them. */
function slimWatch<T extends k8s.KubernetesObject>(w: k8s.Watch, slim?: (o: T) => T): k8s.Watch {
  if (!slim) return w;
  const objects = new Set(['ADDED', 'MODIFIED', 'DELETED']);
  const wrapped = Object.create(w) as k8s.Watch;
  wrapped.watch = (path, query, callback, done) =>
    w.watch(
      path,
      query,
      (phase: string, obj: unknown, raw: unknown) =>
        callback(phase, objects.has(phase) ? slim(obj as T) : obj, raw),
      done,
    );
  return wrapped;
}

export class ResilientInformer<T extends k8s.KubernetesObject> {
  private readonly lw: k8s.ListWatch<T>;
  private stopping = false;
  private failedSinceStart = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private syncedOnce = false;
  private resolveSynced: () => void = () => {};
  readonly synced: Promise<void>;
  restarts = 0;

  constructor(private readonly o: InformerOptions<T>) {
    this.lw = new k8s.ListWatch<T>(
      o.path,
      slimWatch(new k8s.Watch(o.kc), o.slim),
      slimList(o.list, o.slim),
      false,
      o.labelSelector,
      o.fieldSelector,
    );
    this.synced = new Promise((r) => (this.resolveSynced = r));
    // Shrinking in place is safe: with slim, every cached object is a copy made here.
    const shrink = o.slim && o.shrink ? o.shrink : (): void => {};
    this.lw.on('add', (obj) => {
      o.onChange('add', obj);
      shrink(obj);
    });
    this.lw.on('update', (obj) => {
      o.onChange('update', obj);
      shrink(obj);
    });
    this.lw.on('delete', (obj) => o.onChange('delete', obj));
    this.lw.on('error', (err) => this.onError(err));
  }

  private onError(err: unknown): void {
    this.failedSinceStart = true;
    if (this.stopping) return;
    const e = err as { name?: string; message?: string; statusCode?: number };
    if (e?.name === 'AbortError') return;
    const b = this.o.backoff ?? { initialMs: 200, maxMs: 10_000 };
    const delay = Math.min(b.maxMs, b.initialMs * 2 ** Math.min(this.attempt, 10));
    this.attempt++;
    this.o.log.warn(
      { informer: this.o.name, err: e?.message ?? String(err), retryInMs: delay },
      'watch failed; restarting',
    );
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), delay);
  }

  private async run(): Promise<void> {
    if (this.stopping) return;
    this.failedSinceStart = false;
    this.restarts++;
    await this.lw.start();
    if (this.failedSinceStart || this.stopping) return;
    this.attempt = 0;
    if (!this.syncedOnce) {
      this.syncedOnce = true;
      this.resolveSynced();
    }
  }

  /** Starts listing and watching; resolves once the first list is in (retrying until it is). */
  async start(): Promise<void> {
    this.restarts = -1;
    await this.run();
    await this.synced;
  }

  list(): readonly T[] {
    return this.lw.list();
  }

  get(name: string, namespace?: string): T | undefined {
    return this.lw.get(name, namespace);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.lw.stop();
  }
}
