// traffic-control's Prometheus metrics, fed by the xDS events (the metrics seam) and by the
// snapshot builder. A registry per instance, so tests and several servers never collide.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AckInfo, NackInfo, ResponseInfo, StreamInfo, XdsEvents } from '../xds/events.js';
import { typeKey } from '../xds/types.js';
import type { WriteBudget } from '../xds/write-budget.js';

const SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class ControlMetrics implements XdsEvents {
  readonly registry = new Registry();
  private readonly connected: Gauge;
  private readonly pushes: Counter;
  private readonly pushBytes: Counter;
  private readonly pushTime: Histogram;
  private readonly acks: Counter;
  private readonly nacks: Counter;
  private readonly stale: Counter;
  private readonly refusedStreams: Counter;
  private readonly convergence: Histogram;
  readonly snapshotBuild: Histogram;
  readonly invalidLabels: Counter;
  readonly invalidIngresses: Counter;
  readonly ingressStatusWrites: Counter;

  /** Gauges read from the server's write budget at scrape time. */
  watchWriteBudget(b: WriteBudget): void {
    const r = [this.registry];
    new Gauge({
      name: 'traffic_control_xds_write_budget_bytes_in_flight',
      help: 'xDS response bytes handed to gRPC and not yet written out',
      registers: r,
      collect() {
        this.set(b.bytesInFlight);
      },
    });
    new Gauge({
      name: 'traffic_control_xds_streams_waiting_for_budget',
      help: 'xDS streams holding back responses until the write budget opens',
      registers: r,
      collect() {
        this.set(b.waitingStreams);
      },
    });
  }

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const r = [this.registry];
    const p = 'traffic_control_';
    this.connected = new Gauge({
      name: `${p}connected_proxies`,
      help: 'Open xDS streams',
      labelNames: ['kind'],
      registers: r,
    });
    this.pushes = new Counter({
      name: `${p}xds_pushes_total`,
      help: 'xDS responses sent',
      labelNames: ['type'],
      registers: r,
    });
    this.pushBytes = new Counter({
      name: `${p}xds_push_bytes_total`,
      help: 'Bytes of xDS responses sent',
      labelNames: ['type'],
      registers: r,
    });
    this.pushTime = new Histogram({
      name: `${p}xds_push_duration_seconds`,
      help: 'Time to build and write one xDS response',
      labelNames: ['type'],
      buckets: SECONDS,
      registers: r,
    });
    this.acks = new Counter({
      name: `${p}xds_acks_total`,
      help: 'xDS responses acknowledged',
      labelNames: ['type'],
      registers: r,
    });
    this.nacks = new Counter({
      name: `${p}xds_nacks_total`,
      help: 'xDS responses rejected by a proxy',
      labelNames: ['type'],
      registers: r,
    });
    this.stale = new Counter({
      name: `${p}xds_stale_nonces_total`,
      help: 'Requests ignored for a stale nonce',
      registers: r,
    });
    this.refusedStreams = new Counter({
      name: `${p}xds_refused_streams_total`,
      help: 'Streams refused (no node id, peer address mismatch)',
      registers: r,
    });
    this.convergence = new Histogram({
      name: `${p}proxy_convergence_seconds`,
      help: 'From a config change to the proxy acknowledging it',
      buckets: SECONDS,
      registers: r,
    });
    this.snapshotBuild = new Histogram({
      name: `${p}snapshot_build_seconds`,
      help: 'Time to build and set the snapshots of one batch of changes',
      buckets: SECONDS,
      registers: r,
    });
    this.invalidLabels = new Counter({
      name: `${p}invalid_labels_total`,
      help: 'traffic.* label values rejected by validation',
      labelNames: ['kind', 'label'],
      registers: r,
    });
    this.invalidIngresses = new Counter({
      name: `${p}invalid_ingresses_total`,
      help: 'Ingress problems reported as InvalidIngress Events (a missing Service, port or Secret, a bad path)',
      registers: r,
    });
    this.ingressStatusWrites = new Counter({
      name: `${p}ingress_status_writes_total`,
      help: 'Writes of Ingress status.loadBalancer (the gateway address)',
      registers: r,
    });
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: p });
  }

  streamOpened(s: StreamInfo): void {
    this.connected.inc({ kind: s.kind });
  }

  streamClosed(s: StreamInfo): void {
    this.connected.dec({ kind: s.kind });
  }

  responseSent(r: ResponseInfo): void {
    const type = typeKey(r.typeUrl);
    this.pushes.inc({ type });
    this.pushBytes.inc({ type }, r.bytes);
    this.pushTime.observe({ type }, r.durationMs / 1000);
  }

  ack(a: AckInfo): void {
    this.acks.inc({ type: typeKey(a.typeUrl) });
    if (a.convergenceMs !== undefined) this.convergence.observe(a.convergenceMs / 1000);
  }

  nack(n: NackInfo): void {
    this.nacks.inc({ type: typeKey(n.typeUrl) });
  }

  staleNonce(): void {
    this.stale.inc();
  }

  refused(): void {
    this.refusedStreams.inc();
  }
}
