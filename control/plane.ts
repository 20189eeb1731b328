// traffic-control assembled: snapshot cache, sync status, metrics, the ADS server and the admin
// API. Translation plugs in through `publisher` (build one node's snapshot) and `setReady`.
import type { Logger } from '../lib/log.js';
import { AdminServer } from './admin/server.js';
import { ControlMetrics } from './admin/metrics.js';
import { SnapshotCache } from './xds/cache.js';
import { SnapshotPublisher, type PublisherOptions } from './xds/publisher.js';
import { XdsServer, type XdsServerOptions } from './xds/server.js';
import { SyncStatus } from './xds/status.js';
import type { XdsEvents } from './xds/events.js';

export interface ControlPlaneOptions {
  log: Logger;
  host?: string;
  xdsPort?: number;
  adminPort?: number;
  debounceMs?: number;
  debounceMaxMs?: number;
  build?: PublisherOptions['build'];
  /** Every node a change may concern (read once per batch, see SnapshotPublisher.changedAll). */
  allNodes?: PublisherOptions['allNodes'];
  authorize?: XdsServerOptions['authorize'];
  defaultMetrics?: boolean;
  /** More listeners for stream events (after sync status and metrics). */
  events?: XdsEvents[];
}

export class ControlPlane {
  readonly cache = new SnapshotCache();
  readonly status = new SyncStatus();
  readonly metrics: ControlMetrics;
  readonly xds: XdsServer;
  readonly admin: AdminServer;
  readonly publisher: SnapshotPublisher;
  private notReady: string | undefined = 'starting';

  constructor(opts: ControlPlaneOptions) {
    this.metrics = new ControlMetrics({ defaultMetrics: opts.defaultMetrics });
    this.xds = new XdsServer({
      cache: this.cache,
      log: opts.log,
      host: opts.host,
      port: opts.xdsPort,
      authorize: opts.authorize,
      events: [this.status, this.metrics, ...(opts.events ?? [])],
    });
    this.metrics.watchWriteBudget(this.xds.writeBudget);
    this.admin = new AdminServer({
      cache: this.cache,
      status: this.status,
      metrics: this.metrics,
      log: opts.log,
      host: opts.host,
      port: opts.adminPort,
      notReady: () => this.notReady,
    });
    this.publisher = new SnapshotPublisher({
      cache: this.cache,
      log: opts.log,
      build: opts.build ?? (() => undefined),
      ...(opts.allNodes ? { allNodes: opts.allNodes } : {}),
      quietMs: opts.debounceMs,
      maxMs: opts.debounceMaxMs,
      onBatch: (s) => this.metrics.snapshotBuild.observe(s),
    });
  }

  async start(): Promise<{ xdsPort: number; adminPort: number }> {
    const xdsPort = await this.xds.start();
    const adminPort = await this.admin.start();
    return { xdsPort, adminPort };
  }

  /** Marks the control plane ready (informers synced, first snapshots set) or not, with why. */
  setReady(notReady?: string): void {
    this.notReady = notReady;
  }

  async stop(): Promise<void> {
    this.publisher.stop();
    await this.xds.stop(1000);
    await this.admin.stop();
  }
}
