// What SotW and delta streams share: identifying the node on the first request (and refusing a
// peer whose address is not the pod's), following the node's cache entry, one serialised writer
// that respects flow control, and a teardown that leaves no watcher or listener behind.
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../lib/log.js';
import type { CacheEntry, SnapshotCache } from './cache.js';
import type { StreamInfo, StreamKind, XdsEvents } from './events.js';
import type { NodeInfo } from './messages.js';
import { peerAddress } from './peer.js';

export interface StreamDeps {
  cache: SnapshotCache;
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
  private dirty = false;
  private closed = false;

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
    if (this.blocked) {
      this.dirty = true;
      return;
    }
    this.guard(() => this.push(entry));
  }

  /** The only place that writes to the call: in order, and pausing while the peer is slow. */
  protected send(buf: Buffer): void {
    if (this.closed) return;
    const more = this.call.write(buf);
    if (more || this.blocked) return;
    this.blocked = true;
    this.call.once('drain', () => {
      this.blocked = false;
      if (this.dirty && this.entry) {
        this.dirty = false;
        this.guard(() => this.push(this.entry as CacheEntry));
      }
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
    this.unwatch?.();
    this.unwatch = undefined;
    this.entry = undefined;
    if (this.info) this.deps.events.streamClosed(this.info);
  }
}
