// What SotW and delta streams share: identifying the node on the first request (and refusing a
// peer whose address is not the pod's), following the node's cache entry, one serialised writer
// that respects flow control, and a teardown that leaves no watcher or listener behind.
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../lib/log.js';
import type { CacheEntry, SnapshotCache } from './cache.js';
import type { StreamInfo, StreamKind, XdsEvents } from './events.js';
import type { NodeInfo } from './messages.js';
import { peerAddress } from './peer.js';
import type { WriteBudget } from './write-budget.js';

export interface StreamDeps {
  cache: SnapshotCache;
  /** Shared by every stream of the server (write-budget.ts). */
  budget: WriteBudget;
  events: Required<XdsEvents>;
  log: Logger;
  /** Returns a refusal reason when `peerIp` may not receive `nodeId`'s config. */
  authorize?: (nodeId: string, peerIp: string) => string | undefined;
}

type Call<Req> = grpc.ServerDuplexStream<Req, Buffer>;

export abstract class StreamBase<Req> {
  protected info: StreamInfo | undefined;
  protected entry: CacheEntry | undefined;
  private unwatch: (() => void) | undefined;
  private blocked = false;
  /** A snapshot change arrived while responses were held back. */
  private dirty = false;
  private closed = false;
  private waitingBudget = false;
  /** Give back the budget of writes not yet completed (on close). */
  private readonly releases = new Set<() => void>();
  private readonly resume = (): void => {
    this.waitingBudget = false;
    this.guard(() => this.catchUp());
  };

  constructor(
    protected readonly call: Call<Req>,
    protected readonly deps: StreamDeps,
    private readonly streamId: number,
    private readonly kind: StreamKind,
  ) {}

  start(): void {
    this.call.on('data', (req: Req) => this.guard(() => this.handle(req)));
    this.call.on('end', () => {
      this.close();
      this.call.end();
    });
    this.call.on('error', () => this.close());
    this.call.on('cancelled', () => this.close());
    this.call.on('close', () => this.close());
  }

  /** Handles one request; the first must name the node. */
  protected abstract handle(req: Req): void;

  /** Sends whatever the new cache entry changes for this stream's subscriptions. */
  protected abstract push(entry: CacheEntry): void;

  /** Sends what was held back (requests answered later, then a snapshot change). */
  protected abstract catchUp(): void;

  /**
   * May a response be built now? Not while this peer is slow to read (it drains first) or while
   * the server's write budget is spent (woken when it opens); the caller remembers what to send.
   */
  protected mayRespond(): boolean {
    if (this.closed || this.blocked) return false;
    if (this.deps.budget.open) return true;
    if (!this.waitingBudget) {
      this.waitingBudget = true;
      this.deps.budget.wait(this.resume);
    }
    return false;
  }

  /** catchUp's last step: the snapshot change held back, if any. */
  protected pushIfDirty(): void {
    if (!this.dirty || !this.entry || !this.mayRespond()) return;
    this.dirty = false;
    this.push(this.entry);
  }

  protected identify(node: NodeInfo | null | undefined): boolean {
    if (this.info) return true;
    const nodeId = node?.id ?? '';
    const peer = this.call.getPeer();
    if (nodeId === '')
      return this.refuse(
        grpc.status.INVALID_ARGUMENT,
        '',
        peer,
        'the first request must carry node.id',
      );
    const reason = this.deps.authorize?.(nodeId, peerAddress(peer));
    if (reason) return this.refuse(grpc.status.PERMISSION_DENIED, nodeId, peer, reason);
    this.info = { streamId: this.streamId, nodeId, peer, kind: this.kind };
    this.deps.events.streamOpened(this.info);
    this.entry = this.deps.cache.get(nodeId);
    this.unwatch = this.deps.cache.watch(nodeId, (e) => this.onEntry(e));
    return true;
  }

  private refuse(code: grpc.status, nodeId: string, peer: string, reason: string): false {
    this.deps.log.warn({ nodeId, peer, reason }, 'xDS stream refused');
    this.deps.events.refused({ nodeId, peer, reason });
    this.call.emit('error', { code, details: reason });
    this.close();
    return false;
  }

  private onEntry(entry: CacheEntry): void {
    this.entry = entry;
    if (!this.mayRespond()) {
      this.dirty = true;
      return;
    }
    this.dirty = false;
    this.guard(() => this.push(entry));
  }

  /**
   * The only place that writes to the call: in order, pausing while the peer is slow, its bytes
   * counted against the write budget until gRPC has written them out.
   */
  protected send(buf: Buffer): void {
    if (this.closed) return;
    const release = this.deps.budget.take(buf.length);
    this.releases.add(release);
    const more = this.call.write(buf, () => {
      this.releases.delete(release);
      release();
    });
    if (more || this.blocked) return;
    this.blocked = true;
    this.call.once('drain', () => {
      this.blocked = false;
      this.guard(() => this.catchUp());
    });
  }

  protected get isClosed(): boolean {
    return this.closed;
  }

  private guard(fn: () => void): void {
    if (this.closed) return;
    try {
      fn();
    } catch (err) {
      this.deps.log.error({ err, nodeId: this.info?.nodeId }, 'xDS stream failed');
      this.call.emit('error', { code: grpc.status.INTERNAL, details: 'internal error' });
      this.close();
    }
  }

  /** Ends the call (the client reconnects elsewhere or later) and releases everything. */
  shutdown(): void {
    this.close();
    try {
      this.call.end();
    } catch {
      // already ended
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.deps.budget.cancel(this.resume);
    for (const release of this.releases) release();
    this.releases.clear();
    this.unwatch?.();
    this.unwatch = undefined;
    this.entry = undefined;
    if (this.info) this.deps.events.streamClosed(this.info);
  }
}
