// Watch streams: one JSON event per line, headers flushed at once, resourceVersion semantics
// (unset/"0" → synthetic ADDED of the current state; N → replay after N from the history, or one
// ERROR 410 when N is too old), selector-relative events, bookmarks, timeouts and Table wrapping.
import type { ServerResponse } from 'node:http';
import { badRequest, expired } from './errors.js';
import type { JsonObject } from './json.js';
import { namespaceOf, resourceVersionOf, type KubeObject } from './kube.js';
import type { ResourceDef } from './registry.js';
import type { ObjectFilter } from './selectors/filter.js';
import type { Store, StoreEvent } from './store.js';
import { toTable, type IncludeObject } from './table.js';

export interface WatchRequest {
  res: ResourceDef;
  namespace?: string;
  filter: ObjectFilter;
  resourceVersion: string;
  timeoutSeconds?: number;
  bookmarks: boolean;
  sendInitialEvents: boolean;
  table?: IncludeObject;
}

type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** The event a selector-filtered watcher sees for a store event, if any. */
export function translateEvent(
  ev: StoreEvent,
  filter: ObjectFilter,
): { type: WatchEventType; object: KubeObject } | undefined {
  if (ev.type === 'DELETED')
    return filter(ev.object) ? { type: 'DELETED', object: ev.object } : undefined;
  const now = filter(ev.object);
  const before = ev.type === 'MODIFIED' && ev.prev !== undefined && filter(ev.prev);
  if (now) return { type: before ? 'MODIFIED' : 'ADDED', object: ev.object };
  if (!before || !ev.prev) return undefined;
  const gone: KubeObject = {
    ...ev.prev,
    metadata: { ...(ev.prev.metadata as JsonObject), resourceVersion: String(ev.rv) },
  };
  return { type: 'DELETED', object: gone };
}

class Watcher {
  private unsubscribe: () => void = () => undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private headersSent = false;
  private lastRv: number;

  constructor(
    private readonly hub: WatchHub,
    private readonly store: Store,
    private readonly http: ServerResponse,
    private readonly req: WatchRequest,
  ) {
    this.lastRv = store.resourceVersion;
  }

  start(): void {
    const rvText = this.req.resourceVersion;
    const initial = rvText === '' || rvText === '0' || this.req.sendInitialEvents;
    const from = Number(rvText);
    if (!initial && !/^\d+$/.test(rvText))
      throw badRequest(
        `resourceVersion: Invalid value: "${rvText}": must be a non-negative integer`,
      );
    this.http.writeHead(200, {
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
      'Cache-Control': 'no-cache, private',
    });
    this.http.flushHeaders();
    const replay = initial ? [] : this.store.since(from, this.req.res);
    if (replay === undefined) {
      this.write('ERROR', expired(from, this.store.oldestResumable + 1).toStatus());
      this.http.end();
      return;
    }
    this.hub.register(this);
    this.http.on('close', () => this.cleanup());
    this.unsubscribe = this.store.subscribe((ev) => this.deliver(ev));
    if (initial) this.sendInitial();
    for (const ev of replay) this.deliver(ev);
    this.startTimers();
  }

  private sendInitial(): void {
    for (const obj of this.store.list(this.req.res, this.req.namespace)) {
      if (this.req.filter(obj)) this.write('ADDED', obj);
    }
    if (this.req.sendInitialEvents && this.req.bookmarks) this.bookmark(true);
  }

  private startTimers(): void {
    const timeout = this.req.timeoutSeconds;
    if (timeout !== undefined && timeout > 0)
      this.timers.push(setTimeout(() => this.close(), timeout * 1000));
    if (this.req.bookmarks && this.hub.bookmarkIntervalMs > 0) {
      this.timers.push(setInterval(() => this.bookmark(false), this.hub.bookmarkIntervalMs));
    }
  }

  private deliver(ev: StoreEvent): void {
    if (ev.res.key !== this.req.res.key) return;
    if (this.req.namespace !== undefined && namespaceOf(ev.object) !== this.req.namespace) return;
    this.lastRv = Math.max(this.lastRv, ev.rv);
    const out = translateEvent(ev, this.req.filter);
    if (out) this.write(out.type, out.object);
  }

  private write(type: WatchEventType, object: KubeObject): void {
    if (this.http.writableEnded || this.http.destroyed) return;
    let payload = object;
    if (this.req.table !== undefined && type !== 'ERROR' && type !== 'BOOKMARK') {
      const rv = resourceVersionOf(object);
      payload = toTable(this.req.res, [object], rv, {
        include: this.req.table,
        noHeaders: this.headersSent,
      });
      this.headersSent = true;
    }
    this.http.write(`${JSON.stringify({ type, object: payload })}\n`);
  }

  bookmark(initialEnd: boolean): void {
    const metadata: JsonObject = { resourceVersion: String(this.store.resourceVersion) };
    if (initialEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    if (this.req.bookmarks)
      this.write('BOOKMARK', {
        kind: this.req.res.kind,
        apiVersion: this.req.res.apiVersion,
        metadata,
      });
  }

  expire(): void {
    this.write('ERROR', expired(this.lastRv, this.store.resourceVersion).toStatus());
    this.close();
  }

  close(): void {
    this.cleanup();
    if (!this.http.writableEnded) this.http.end();
  }

  private cleanup(): void {
    this.unsubscribe();
    for (const t of this.timers) clearTimeout(t);
    this.timers.length = 0;
    this.hub.unregister(this);
  }
}

/** Every open watch, for the test hooks (expire, close, bookmark). */
export class WatchHub {
  private readonly active = new Set<Watcher>();

  constructor(
    private readonly store: Store,
    readonly bookmarkIntervalMs: number,
  ) {}

  get count(): number {
    return this.active.size;
  }

  register(w: Watcher): void {
    this.active.add(w);
  }

  unregister(w: Watcher): void {
    this.active.delete(w);
  }

  /** Starts a watch; throws a KubeError (before any header is sent) for a bad request. */
  serve(http: ServerResponse, req: WatchRequest): void {
    new Watcher(this, this.store, http, req).start();
  }

  expireAll(): void {
    for (const w of [...this.active]) w.expire();
  }

  closeAll(): void {
    for (const w of [...this.active]) w.close();
  }

  bookmarkAll(): void {
    for (const w of [...this.active]) w.bookmark(false);
  }
}
