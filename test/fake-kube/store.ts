// The object store: one global resourceVersion counter, objects per resource, a bounded event
// history for watches that resume from a resourceVersion, and synchronous change listeners.
import { clone } from './json.js';
import { metadataOf, nameOf, namespaceOf, uidOf, type KubeObject } from './kube.js';
import type { ResourceDef } from './registry.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  res: ResourceDef;
  /** The object after the change, carrying the event's resourceVersion. Treat as read-only. */
  object: KubeObject;
  /** The object before the change (MODIFIED and DELETED). */
  prev?: KubeObject;
  rv: number;
}

export type StoreListener = (event: StoreEvent) => void;

function keyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export class Store {
  private rv = 0;
  private compactedRv = 0;
  private readonly tables = new Map<string, Map<string, KubeObject>>();
  private readonly uids = new Map<string, { res: ResourceDef; key: string }>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<StoreListener>();

  constructor(private readonly historySize: number) {}

  /** The current (latest) resourceVersion. */
  get resourceVersion(): number {
    return this.rv;
  }

  /** The oldest resourceVersion a watch can still resume from. */
  get oldestResumable(): number {
    return this.compactedRv;
  }

  private table(res: ResourceDef): Map<string, KubeObject> {
    let t = this.tables.get(res.key);
    if (!t) {
      t = new Map();
      this.tables.set(res.key, t);
    }
    return t;
  }

  /** A copy of the stored object, or undefined. */
  get(res: ResourceDef, namespace: string, name: string): KubeObject | undefined {
    const found = this.table(res).get(keyOf(res.namespaced ? namespace : '', name));
    return found ? clone(found) : undefined;
  }

  /** Copies of the stored objects, optionally within one namespace, sorted by namespace/name. */
  list(res: ResourceDef, namespace?: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const obj of this.table(res).values()) {
      if (namespace === undefined || namespaceOf(obj) === namespace) out.push(clone(obj));
    }
    return out.sort((a, b) => keyCompare(a, b));
  }

  /** The resource and a copy of the object with this uid, if it exists. */
  byUid(uid: string): { res: ResourceDef; object: KubeObject } | undefined {
    const ref = this.uids.get(uid);
    const obj = ref ? this.table(ref.res).get(ref.key) : undefined;
    return ref && obj ? { res: ref.res, object: clone(obj) } : undefined;
  }

  /** Stores an object under a new resourceVersion and emits ADDED or MODIFIED. */
  put(res: ResourceDef, object: KubeObject): KubeObject {
    const key = keyOf(res.namespaced ? namespaceOf(object) : '', nameOf(object));
    const table = this.table(res);
    const prev = table.get(key);
    const stored = clone(object);
    this.rv += 1;
    metadataOf(stored).resourceVersion = String(this.rv);
    table.set(key, stored);
    this.uids.set(uidOf(stored), { res, key });
    this.emit({ type: prev ? 'MODIFIED' : 'ADDED', res, object: stored, prev, rv: this.rv });
    return clone(stored);
  }

  /** Removes an object and emits DELETED carrying a new resourceVersion. */
  remove(res: ResourceDef, namespace: string, name: string): KubeObject | undefined {
    const key = keyOf(res.namespaced ? namespace : '', name);
    const table = this.table(res);
    const prev = table.get(key);
    if (!prev) return undefined;
    table.delete(key);
    this.uids.delete(uidOf(prev));
    this.rv += 1;
    const object = clone(prev);
    metadataOf(object).resourceVersion = String(this.rv);
    this.emit({ type: 'DELETED', res, object, prev, rv: this.rv });
    return clone(object);
  }

  /** Events after `rv` (for one resource), or undefined when the history no longer reaches back. */
  since(rv: number, res: ResourceDef): StoreEvent[] | undefined {
    if (rv < this.compactedRv) return undefined;
    return this.history.filter((e) => e.rv > rv && e.res.key === res.key);
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: StoreEvent): void {
    this.history.push(event);
    while (this.history.length > this.historySize) {
      const dropped = this.history.shift();
      if (dropped) this.compactedRv = dropped.rv;
    }
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (err) {
        console.error('fake-kube: store listener failed', err);
      }
    }
  }
}

function keyCompare(a: KubeObject, b: KubeObject): number {
  const ka = keyOf(namespaceOf(a), nameOf(a));
  const kb = keyOf(namespaceOf(b), nameOf(b));
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
