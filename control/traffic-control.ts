// traffic-control wired together: informers keep the model store current; each change
// invalidates what it touched in the translator, reports label problems as Events, and (once
// the first full list is in) schedules a debounced rebuild. Proxies (pods with
// traffic.envoy.enabled) and any client that connects get a snapshot of what they may call; the
// ingress gateway (node traffic-ingress) always has its snapshot, made from our Ingresses, and
// after each rebuild the gateway edge writes their status and Events.
import type * as k8s from '@kubernetes/client-node';
import { CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from '../lib/log.js';
import { GatewayEdge } from './gateway-edge.js';
import { IssueReporter } from './kube/events.js';
import { ModelStore, type Change } from './kube/store.js';
import { ClusterWatcher } from './kube/watcher.js';
import { nodeIdOf } from './model/types.js';
import { ControlPlane, type ControlPlaneOptions } from './plane.js';
import { DEFAULT_INGRESS_CLASS } from './policy/ingress-class.js';
import { GATEWAY_NODE } from './translate/names.js';
import type { TranslateOptions } from './translate/service.js';
import { DEFAULT_OPTIONS, Translator, podKeyOf } from './translate/translator.js';
import type { StreamInfo } from './xds/events.js';

export interface TrafficControlOptions extends Omit<
  ControlPlaneOptions,
  'build' | 'authorize' | 'events'
> {
  kc: k8s.KubeConfig;
  translate?: Partial<TranslateOptions>;
  /**
   * Refuse xDS streams whose peer address is not the node's pod IP (for the gateway: not an
   * address of its Service's endpoints).
   */
  verifyPeerIp?: boolean;
  /** The IngressClass whose Ingresses the gateway serves (default traffic-manager). */
  ingressClass?: string;
  /** `namespace/name` of the gateway's Service (default: traffic-ingress in our namespace). */
  ingressService?: string;
}

/** Our namespace as the kubeconfig says (in-cluster: the service account's). */
function ownNamespace(kc: k8s.KubeConfig): string {
  return kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
}

export class TrafficControl {
  readonly store: ModelStore;
  readonly translator: Translator;
  readonly plane: ControlPlane;
  readonly gateway: GatewayEdge;
  private readonly gatewayService: string;
  private readonly watcher: ClusterWatcher;
  private readonly reporter: IssueReporter;
  private readonly connected = new Map<string, number>();
  /**
   * Pod key → node id of every proxy (enabled pod with an address), kept per change so that a
   * batch does not walk all pods to find them.
   */
  private readonly proxyIndex = new Map<string, string>();
  private synced = false;
  private readonly log: Logger;

  constructor(o: TrafficControlOptions) {
    this.log = o.log;
    const ingress = {
      ...DEFAULT_OPTIONS.ingress,
      ...o.translate?.ingress,
      className: o.ingressClass ?? o.translate?.ingress?.className ?? DEFAULT_INGRESS_CLASS,
    };
    this.store = new ModelStore(ingress.className);
    this.translator = new Translator(this.store, { ...o.translate, ingress });
    this.gatewayService = o.ingressService ?? `${ownNamespace(o.kc)}/${GATEWAY_NODE}`;
    this.plane = new ControlPlane({
      ...o,
      build: (id) => (this.serves(id) ? this.translator.snapshotFor(id) : undefined),
      allNodes: () => this.nodeIds(),
      authorize: o.verifyPeerIp ? (id, ip) => this.refusal(id, ip) : undefined,
      events: [{ streamOpened: (s) => this.opened(s), streamClosed: (s) => this.closed(s) }],
    });
    const metrics = this.plane.metrics;
    this.reporter = new IssueReporter(o.kc.makeApiClient(CoreV1Api), o.log, (i) =>
      metrics.invalidLabels.inc({ kind: i.kind, label: i.key }),
    );
    this.gateway = new GatewayEdge({
      kc: o.kc,
      log: o.log,
      store: this.store,
      translator: this.translator,
      metrics,
      service: this.gatewayService,
      quietMs: o.debounceMs,
      maxMs: o.debounceMaxMs,
    });
    this.watcher = new ClusterWatcher({
      kc: o.kc,
      log: o.log,
      store: this.store,
      onChange: (c) => this.changed(c),
    });
  }

  /** Proxies: pods whose effective traffic.envoy.enabled is true and that have an address. */
  private proxies(): string[] {
    return [...this.proxyIndex.values()];
  }

  private indexProxy(key: string): void {
    const pod = this.store.pods.get(key);
    if (pod && pod.ips.length > 0 && this.translator.pod(key)?.enabled)
      this.proxyIndex.set(key, nodeIdOf(pod));
    else this.proxyIndex.delete(key);
  }

  private serves(nodeId: string): boolean {
    if (nodeId === GATEWAY_NODE || (this.connected.get(nodeId) ?? 0) > 0) return true;
    const key = podKeyOf(nodeId);
    return key !== undefined && this.proxyIndex.has(key);
  }

  private nodeIds(): string[] {
    return [
      ...new Set([
        GATEWAY_NODE,
        ...this.proxies(),
        ...this.connected.keys(),
        ...this.plane.cache.nodeIds(),
      ]),
    ];
  }

  private changed(c: Change): void {
    this.log.debug({ services: [...c.services], pods: [...c.pods] }, 'model changed');
    this.translator.invalidate(c);
    for (const key of c.pods) this.indexProxy(key);
    const { uids, issues } = this.translator.issuesOf(c);
    this.reporter.sync(uids, issues);
    if (!this.synced) return;
    this.plane.publisher.changedAll(c.urgent === true);
    this.gateway.changed();
  }

  private opened(s: StreamInfo): void {
    this.connected.set(s.nodeId, (this.connected.get(s.nodeId) ?? 0) + 1);
    if (this.synced && !this.plane.cache.get(s.nodeId)) this.plane.publisher.publishNow([s.nodeId]);
  }

  private closed(s: StreamInfo): void {
    const left = (this.connected.get(s.nodeId) ?? 1) - 1;
    if (left > 0) this.connected.set(s.nodeId, left);
    else this.connected.delete(s.nodeId);
  }

  private refusal(nodeId: string, ip: string): string | undefined {
    if (nodeId === GATEWAY_NODE) return this.gatewayRefusal(ip);
    const key = podKeyOf(nodeId);
    const pod = key ? this.store.pods.get(key) : undefined;
    if (!pod) return `node id ${nodeId} is not a pod (<pod>.<namespace>) known to traffic-control`;
    if (!pod.ips.includes(ip))
      return `peer address ${ip} is not an address of pod ${nodeId} (${pod.ips.join(', ') || 'none'})`;
    return undefined;
  }

  /** The gateway's config (and its certificates) go only to the pods behind its Service. */
  private gatewayRefusal(ip: string): string | undefined {
    const slices = this.store.slices.get(this.gatewayService) ?? [];
    const ips = slices.flatMap((s) => s.endpoints.flatMap((e) => e.addresses));
    if (ips.includes(ip)) return undefined;
    return `peer address ${ip} is not an endpoint of the gateway Service ${this.gatewayService} (${ips.join(', ') || 'none'})`;
  }

  /** Opens the xDS and admin ports (not ready yet); resolves with the bound ports. */
  async listen(): Promise<{ xdsPort: number; adminPort: number }> {
    const ports = await this.plane.start();
    this.plane.setReady(
      'waiting for the first list of Services, EndpointSlices, Pods and workloads',
    );
    return ports;
  }

  /** Lists and watches the cluster; resolves (and turns ready) once everything listed once. */
  async sync(): Promise<void> {
    await this.watcher.start();
    this.synced = true;
    this.plane.publisher.publishNow(this.nodeIds());
    this.gateway.syncNow();
    this.plane.setReady();
    const proxies = this.proxies().length;
    this.log.info(
      { services: this.store.services.size, pods: this.store.pods.size, proxies },
      'cluster model synced',
    );
  }

  async start(): Promise<{ xdsPort: number; adminPort: number }> {
    const ports = await this.listen();
    await this.sync();
    return ports;
  }

  async stop(): Promise<void> {
    this.gateway.stop();
    await this.watcher.stop();
    await this.plane.stop();
  }
}
