// The ADS gRPC server: registers both ADS methods, gives each stream its handler, keeps the set
// of open streams, and shuts down cleanly (streams ended, watchers gone, port released).
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../lib/log.js';
import type { SnapshotCache } from './cache.js';
import { DeltaStream } from './delta.js';
import { combineEvents, type XdsEvents } from './events.js';
import { ADS_SERVICE, type DeltaDiscoveryRequest, type DiscoveryRequest } from './messages.js';
import { SotwStream } from './sotw.js';
import { WriteBudget } from './write-budget.js';
import type { StreamBase, StreamDeps } from './stream-base.js';

export interface XdsServerOptions {
  cache: SnapshotCache;
  log: Logger;
  events?: XdsEvents[];
  authorize?: StreamDeps['authorize'];
  /** Response bytes all streams may have in flight at once (write-budget.ts); default 64 MiB. */
  writeBudgetBytes?: number;
  /** After this long a write not yet out stops counting against the budget; default 5 s. */
  writeStallMs?: number;
  /** Host to bind; default 0.0.0.0 (proxies connect from their pods). */
  host?: string;
  port?: number;
}

export class XdsServer {
  private readonly server = new grpc.Server({
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.max_concurrent_streams': 100_000,
  });
  private readonly streams = new Set<StreamBase<unknown>>();
  private readonly deps: StreamDeps;
  private nextId = 0;
  private boundPort = 0;

  constructor(private readonly opts: XdsServerOptions) {
    this.deps = {
      cache: opts.cache,
      budget: new WriteBudget(opts.writeBudgetBytes, opts.writeStallMs),
      log: opts.log,
      events: combineEvents(...(opts.events ?? [])),
      authorize: opts.authorize,
    };
    this.server.addService(ADS_SERVICE, {
      StreamAggregatedResources: (call: grpc.ServerDuplexStream<DiscoveryRequest, Buffer>) =>
        this.track(new SotwStream(call, this.deps, ++this.nextId, 'sotw'), call),
      DeltaAggregatedResources: (call: grpc.ServerDuplexStream<DeltaDiscoveryRequest, Buffer>) =>
        this.track(new DeltaStream(call, this.deps, ++this.nextId, 'delta'), call),
    });
  }

  /** The budget every stream's responses count against (tests, metrics). */
  get writeBudget(): WriteBudget {
    return this.deps.budget;
  }

  private track<R>(s: StreamBase<R>, call: grpc.ServerDuplexStream<R, Buffer>): void {
    const handle = s as StreamBase<unknown>;
    this.streams.add(handle);
    const forget = (): void => {
      this.streams.delete(handle);
    };
    call.on('close', forget);
    call.on('cancelled', forget);
    call.on('error', forget);
    call.on('finish', forget);
    s.start();
  }

  /** Binds and starts serving; resolves with the bound port. */
  async start(): Promise<number> {
    const addr = `${this.opts.host ?? '0.0.0.0'}:${this.opts.port ?? 18000}`;
    this.boundPort = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(addr, grpc.ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      );
    });
    this.opts.log.info({ address: addr, port: this.boundPort }, 'xDS server listening');
    return this.boundPort;
  }

  get port(): number {
    return this.boundPort;
  }

  openStreams(): number {
    return this.streams.size;
  }

  /** Ends every stream and stops; waits at most `graceMs` for calls to finish. */
  async stop(graceMs = 2000): Promise<void> {
    for (const s of this.streams) s.shutdown();
    this.streams.clear();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    // A client that reconnects during the graceful close can keep its HTTP/2 session open:
    // nothing of ours may outlive stop().
    this.server.forceShutdown();
  }
}
