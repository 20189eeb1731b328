// The ingress gateway's edge I/O, after translation: InvalidIngress Events for what the gateway
// cannot serve of our Ingresses, and their status set to the gateway Service's address. Runs
// debounced after model changes (like snapshot pushes), reading the translator's memoised
// gateway result, so a burst of changes costs one pass.
import * as k8s from '@kubernetes/client-node';
import type { Logger } from '../lib/log.js';
import type { ControlMetrics } from './admin/metrics.js';
import { IssueReporter } from './kube/events.js';
import { IngressStatusWriter, gatewayAddresses } from './kube/ingress-status.js';
import type { ModelStore } from './kube/store.js';
import type { ObjectKey } from './model/types.js';
import type { Translator } from './translate/translator.js';
import { Debouncer } from './xds/debounce.js';

export interface GatewayEdgeOptions {
  kc: k8s.KubeConfig;
  log: Logger;
  store: ModelStore;
  translator: Translator;
  metrics: ControlMetrics;
  /** `namespace/name` of the gateway's Service. */
  service: ObjectKey;
  quietMs?: number;
  maxMs?: number;
}

export class GatewayEdge {
  private readonly debouncer: Debouncer<'sync'>;
  private readonly reporter: IssueReporter;
  readonly status: IngressStatusWriter;
  /** uids of the Ingresses checked last time (so the issues of deleted ones are forgotten). */
  private checked = new Set<string>();

  constructor(private readonly o: GatewayEdgeOptions) {
    this.reporter = new IssueReporter(o.kc.makeApiClient(k8s.CoreV1Api), o.log, () =>
      o.metrics.invalidIngresses.inc(),
    );
    this.status = new IngressStatusWriter(o.kc.makeApiClient(k8s.NetworkingV1Api), o.log, () =>
      this.changed(),
    );
    this.debouncer = new Debouncer<'sync'>({
      quietMs: o.quietMs ?? 100,
      maxMs: o.maxMs ?? 1000,
      flush: () => this.syncNow(),
    });
  }

  changed(): void {
    this.debouncer.add(['sync']);
  }

  /** Never throws: a failure is logged and the next change tries again. */
  syncNow(): void {
    try {
      this.sync();
    } catch (err) {
      this.o.log.error({ err }, 'ingress status and events failed');
    }
  }

  private sync(): void {
    const r = this.o.translator.gatewayResult();
    const ours = new Set(r.ingresses.map((i) => i.uid));
    this.reporter.sync([...ours, ...this.checked], r.issues);
    this.checked = ours;
    const before = this.status.patches;
    const address = gatewayAddresses(this.o.store.services.get(this.o.service));
    this.status.sync(this.o.store.ingresses.values(), ours, address);
    this.o.metrics.ingressStatusWrites.inc(this.status.patches - before);
  }

  idle(): Promise<void> {
    return this.debouncer.idle();
  }

  stop(): void {
    this.debouncer.stop();
  }
}
