// traffic-agent: watches the pods on its node and their workloads, and keeps one proxy with
// capture rules in every enabled pod and none anywhere else. Work is per pod (a keyed queue); a
// resync pass covers every pod and every proxy container on the node, so orphans of deleted
// pods, lost rules and crashed proxies converge even when no event says so.
import * as k8s from '@kubernetes/client-node';
import { DEFAULT_CAPTURE, applyCapture, removeCapture, verifyCapture } from '../iptables/index.js';
import type { CaptureOptions } from '../iptables/index.js';
import { TrafficError } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import { KubePodPatcher, type PodPatcher } from './annotate.js';
import type { AgentConfig } from './config.js';
import { desiredFor } from './desired.js';
import { PassError } from './enable.js';
import { PodEvents } from './events.js';
import { AgentMetrics } from './metrics.js';
import type { CaptureOps, PassDeps } from './pass-deps.js';
import { drainProxy, proxyReady } from './proxy-probe.js';
import { KeyedQueue } from './queue.js';
import { podRefOf, reconcilePod } from './reconcile.js';
import type { ProxyRuntime } from './runtime/types.js';
import { NodeWatch } from './watch.js';

export interface AgentOptions {
  kc: k8s.KubeConfig;
  runtime: ProxyRuntime;
  config: AgentConfig;
  log: Logger;
  metrics?: AgentMetrics;
  patcher?: PodPatcher;
}

const REAL_CAPTURE: CaptureOps = {
  apply: applyCapture,
  remove: removeCapture,
  verify: verifyCapture,
};

export function failureReason(err: unknown): string {
  if (err instanceof PassError) return err.reason;
  if (err instanceof TrafficError) {
    if (err.code === 'TM_IPTABLES') return 'iptables';
    if (err.code === 'TM_TIMEOUT') return 'timeout';
    return 'runtime';
  }
  if ((err as { code?: number }).code !== undefined) return 'kube';
  return 'other';
}

export class TrafficAgent {
  readonly metrics: AgentMetrics;
  readonly watch: NodeWatch;
  private readonly queue: KeyedQueue;
  private readonly deps: PassDeps;
  private readonly baseCapture: CaptureOptions;
  private timer: NodeJS.Timeout | undefined;
  private started = false;

  constructor(private readonly o: AgentOptions) {
    const core = o.kc.makeApiClient(k8s.CoreV1Api);
    const c = o.config;
    this.metrics = o.metrics ?? new AgentMetrics();
    this.baseCapture = {
      ...DEFAULT_CAPTURE,
      capturePort: c.capturePort,
      adminPort: c.adminPort,
      proxyUid: c.proxyUid,
      proxyGid: c.proxyGid,
    };
    this.deps = {
      runtime: o.runtime,
      capture: REAL_CAPTURE,
      ready: (netns) => proxyReady(netns, c.adminPort),
      drain: (netns) => drainProxy(netns, c.adminPort, c.drainSeconds),
      patcher: o.patcher ?? new KubePodPatcher(core),
      events: new PodEvents(core, o.log, 'traffic-agent', c.nodeName),
      metrics: this.metrics,
      log: o.log,
      config: c,
      state: { enabledSince: new Map(), disabledSince: new Map() },
      now: () => Date.now(),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    };
    this.queue = new KeyedQueue({
      concurrency: c.concurrency,
      run: (uid) => this.pass(uid),
      onError: (uid, err) => this.failed(uid, err),
    });
    this.watch = new NodeWatch({
      kc: o.kc,
      nodeName: c.nodeName,
      log: o.log,
      onPods: (uids) => {
        if (this.started) for (const u of uids) this.queue.add(u);
      },
    });
  }

  private async pass(uid: string): Promise<void> {
    const pod = this.watch.pod(uid);
    const want = pod
      ? desiredFor({
          pod,
          workloadEnabled: this.watch.workloadEnabled(pod),
          baseCapture: this.baseCapture,
          ...(this.o.config.self ? { self: this.o.config.self } : {}),
        })
      : undefined;
    await reconcilePod(this.deps, uid, pod, want);
    this.metrics.passes.inc({ result: 'ok' });
  }

  private failed(uid: string, err: unknown): void {
    const reason = failureReason(err);
    const message = (err as Error)?.message ?? String(err);
    this.metrics.passes.inc({ result: 'error' });
    this.metrics.failures.inc({ reason });
    const pod = this.watch.pod(uid);
    if (pod) this.deps.events.warning(podRefOf(pod), 'ProxyFailed', message);
    else this.o.log.warn({ uid, reason }, message);
  }

  /** Starts watching, adopts what exists and reconciles everything once. */
  async start(): Promise<void> {
    await this.o.runtime.ping();
    await this.watch.start();
    this.started = true;
    await this.resync();
    const every = this.o.config.resyncMs;
    this.timer = setInterval(() => {
      this.resync().catch((err: unknown) =>
        this.o.log.error({ err: String(err) }, 'resync failed'),
      );
    }, every);
    this.timer.unref();
  }

  /** Queues every pod on the node and every pod that has a proxy container here. */
  async resync(): Promise<void> {
    const proxies = await this.o.runtime.listProxies();
    const counts = new Map<string, number>();
    for (const p of proxies) counts.set(p.state, (counts.get(p.state) ?? 0) + 1);
    this.metrics.proxies.reset();
    for (const [state, n] of counts) this.metrics.proxies.set({ state }, n);
    const uids = new Set<string>(proxies.map((p) => p.pod.uid).filter((u) => u !== ''));
    for (const pod of this.watch.allPods()) if (pod.metadata?.uid) uids.add(pod.metadata.uid);
    for (const uid of uids) this.queue.add(uid);
  }

  /** Resolves when no pass is running or waiting. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.started = false;
    await this.watch.stop();
    await this.queue.stop();
  }
}
