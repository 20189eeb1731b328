// Incremental translation over a cluster model that the caller keeps up to date. Service bundles
// are rebuilt only when their Service, slices or pods changed (the caller says which); snapshots
// are built once per distinct scope (the Services a proxy may call, plus IPv6 or not) and shared
// by every proxy with that scope. The ingress gateway (node `traffic-ingress`) gets its own
// snapshot from the Ingresses, made of the same per-Service resources. Deterministic: the same
// model gives byte-identical resources, however it was reached.
import type { ClusterModel, ObjectKey, PodModel } from '../model/types.js';
import { podPolicy } from '../policy/pod.js';
import { servicePolicy } from '../policy/service.js';
import type { PodPolicy, PolicyIssue } from '../policy/types.js';
import { Snapshot } from '../xds/snapshot.js';
import type { PodFacts } from './endpoints.js';
import { allowed, assembleNode } from './node.js';
import { GatewayCache, gatewayPolicy } from './ingress/cache.js';
import type { GatewayResult } from './ingress/gateway.js';
import { GATEWAY_NODE } from './names.js';
import { translatePod } from './pod.js';
import { ListenerMemo, reuseUnchanged } from './reuse.js';
import { DEFAULT_OPTIONS } from './bundle.js';
import { translateService, type ServiceBundle, type TranslateOptions } from './service.js';

export { DEFAULT_OPTIONS };

interface Scope {
  key: string;
  egress?: readonly string[];
  ipv6: boolean;
}

/** `<pod>.<namespace>` → the pod's key; namespaces cannot contain dots, pod names can. */
export function podKeyOf(nodeId: string): ObjectKey | undefined {
  const i = nodeId.lastIndexOf('.');
  return i > 0 ? `${nodeId.slice(i + 1)}/${nodeId.slice(0, i)}` : undefined;
}

export class Translator {
  private readonly bundles = new Map<ObjectKey, ServiceBundle>();
  /** Bundles of pods with their own traffic.port labels. */
  private readonly podBundles = new Map<ObjectKey, ServiceBundle>();
  private readonly podPolicies = new Map<
    ObjectKey,
    { pod: PodModel; policy: PodPolicy; issues: PolicyIssue[] }
  >();
  private readonly serviceIssues = new Map<ObjectKey, PolicyIssue[]>();
  /** Pod → Services whose endpoints it appears in (to know what a pod change touches). */
  private readonly podServices = new Map<ObjectKey, Set<ObjectKey>>();
  private readonly scopes = new Map<string, Snapshot>();
  /** A scope's snapshot before it was dropped: types whose resources are the same are reused. */
  private readonly previousScopes = new Map<string, Snapshot>();
  /**
   * Pods with their own traffic.port labels or a bundle from them: found once by walking every
   * pod, then kept by invalidate(), so a snapshot build does not walk 10,000 pods.
   */
  private portPods: Set<ObjectKey> | undefined;
  /** Bundles invalidated but not rebuilt yet: their unchanged objects are reused (reuse.ts). */
  private readonly previous = new Map<ObjectKey, ServiceBundle>();
  private readonly listeners = new ListenerMemo();
  private readonly gateway: GatewayCache;
  readonly opts: TranslateOptions;

  constructor(
    private readonly model: ClusterModel,
    opts: Partial<TranslateOptions> = {},
  ) {
    this.opts = { ...DEFAULT_OPTIONS, ...opts };
    this.gateway = new GatewayCache({
      model,
      opts: this.opts,
      mesh: (k) => this.bundle(k),
      gatewayOnly: (k) => this.translate(k, true),
    });
  }

  /** The policy of a pod (cached until the pod changes). */
  pod(key: ObjectKey): PodPolicy | undefined {
    const pod = this.model.pods.get(key);
    if (!pod) return undefined;
    const hit = this.podPolicies.get(key);
    if (hit?.pod === pod) return hit.policy;
    const r = podPolicy(pod);
    this.podPolicies.set(key, { pod, ...r });
    return r.policy;
  }

  private facts(key: ObjectKey, service: ObjectKey): PodFacts | undefined {
    const pod = this.model.pods.get(key);
    if (!pod) return undefined;
    let set = this.podServices.get(key);
    if (!set) this.podServices.set(key, (set = new Set()));
    set.add(service);
    const version = pod.labels[this.opts.versionLabel];
    return { weight: this.pod(key)?.weight ?? 100, ...(version !== undefined ? { version } : {}) };
  }

  private bundle(key: ObjectKey): ServiceBundle | undefined {
    const hit = this.bundles.get(key);
    if (hit) return hit;
    const b = this.translate(key, false);
    const prev = this.previous.get(key);
    this.previous.delete(key);
    if (b && prev) reuseUnchanged(b, prev);
    if (b) this.bundles.set(key, b);
    return b;
  }

  /** A Service's bundle; for the gateway, with the ports an Ingress may name routed as HTTP. */
  private translate(key: ObjectKey, gateway: boolean): ServiceBundle | undefined {
    const service = this.model.services.get(key);
    if (!service) return undefined;
    const { policy, issues } = servicePolicy(service);
    if (!gateway) this.serviceIssues.set(key, issues);
    const slices = this.model.slices.get(key) ?? [];
    return translateService(
      {
        service,
        policy: gateway ? gatewayPolicy(policy, service) : policy,
        slices,
        podFacts: (p) => this.facts(p, key),
      },
      this.opts,
    );
  }

  private dropScopes(service: ObjectKey): void {
    for (const [k, snap] of [...this.scopes]) {
      const egress = k.startsWith('*|') ? undefined : k.split('|')[0]?.split(',');
      if (!allowed(service, egress)) continue;
      this.scopes.delete(k);
      this.previousScopes.set(k, snap);
    }
  }

  private hasPorts(key: ObjectKey): boolean {
    return this.podBundles.has(key) || (this.pod(key)?.ports.size ?? 0) > 0;
  }

  private indexPortPod(key: ObjectKey): void {
    if (!this.portPods) return;
    if (this.model.pods.has(key) && this.hasPorts(key)) this.portPods.add(key);
    else this.portPods.delete(key);
  }

  /**
   * Services whose object, slices or pods changed; their bundles are rebuilt on next use.
   * `gateway`: Ingresses, IngressClasses or their Secrets changed.
   */
  invalidate(change: {
    services?: Iterable<ObjectKey>;
    pods?: Iterable<ObjectKey>;
    gateway?: boolean;
  }): void {
    const services = new Set(change.services ?? []);
    for (const p of change.pods ?? []) {
      this.podPolicies.delete(p);
      for (const s of this.podServices.get(p) ?? []) services.add(s);
      const had = this.podBundles.delete(p);
      if (had || (this.pod(p)?.ports.size ?? 0) > 0) this.dropScopes(p);
      this.indexPortPod(p);
    }
    for (const s of services) {
      const old = this.bundles.get(s);
      if (old && this.model.services.has(s)) this.previous.set(s, old);
      else if (!this.model.services.has(s)) this.previous.delete(s);
      this.bundles.delete(s);
      this.dropScopes(s);
    }
    this.gateway.invalidate(services, change.gateway === true);
  }

  /** The gateway's translation: its resources, our Ingresses and what is wrong with them. */
  gatewayResult(): GatewayResult {
    return this.gateway.result();
  }

  private scopeOf(nodeId: string): Scope {
    const key = podKeyOf(nodeId);
    const pod = key ? this.model.pods.get(key) : undefined;
    const egress = key ? this.pod(key)?.egress : undefined;
    const ipv6 = pod?.ips.some((ip) => ip.includes(':')) ?? false;
    return { key: `${egress ? egress.join(',') : '*'}|${ipv6}`, egress, ipv6 };
  }

  /** Bundles of the pods in scope that have their own traffic.port labels (after Services). */
  private podPortBundles(scope: Scope): ServiceBundle[] {
    const out: ServiceBundle[] = [];
    if (!this.portPods) {
      this.portPods = new Set();
      for (const key of this.model.pods.keys()) if (this.hasPorts(key)) this.portPods.add(key);
    }
    const keys = [...this.portPods].filter((k) => allowed(k, scope.egress));
    for (const key of keys.sort()) {
      let b = this.podBundles.get(key);
      if (!b) {
        const pod = this.model.pods.get(key);
        const policy = this.pod(key);
        if (!pod || !policy || policy.ports.size === 0 || pod.ips.length === 0) continue;
        b = translatePod(pod, policy, this.opts);
        this.podBundles.set(key, b);
      }
      out.push(b);
    }
    return out;
  }

  /** The snapshot for a proxy or proxyless client; shared by every node with the same scope. */
  snapshotFor(nodeId: string): Snapshot {
    if (nodeId === GATEWAY_NODE) return this.gateway.snapshot();
    const scope = this.scopeOf(nodeId);
    const hit = this.scopes.get(scope.key);
    if (hit) return hit;
    const keys = [...this.model.services.keys()].filter((k) => allowed(k, scope.egress)).sort();
    const bundles = keys
      .map((k) => this.bundle(k))
      .filter((b): b is ServiceBundle => b !== undefined);
    bundles.push(...this.podPortBundles(scope));
    const memo = { listeners: this.listeners, scope: scope.key };
    const input = assembleNode(bundles, this.opts, scope.ipv6, memo);
    const snap = Snapshot.create(input, this.previousScopes.get(scope.key));
    this.previousScopes.delete(scope.key);
    this.scopes.set(scope.key, snap);
    return snap;
  }

  /** Issues of the given Services and pods as they are now, and the uids they were checked for. */
  issuesOf(change: { services?: Iterable<ObjectKey>; pods?: Iterable<ObjectKey> }): {
    uids: string[];
    issues: PolicyIssue[];
  } {
    const uids: string[] = [];
    const issues: PolicyIssue[] = [];
    for (const k of change.services ?? []) {
      const svc = this.model.services.get(k);
      if (!svc || !this.bundle(k)) continue;
      uids.push(svc.uid);
      issues.push(...(this.serviceIssues.get(k) ?? []));
    }
    for (const k of change.pods ?? []) {
      const pod = this.model.pods.get(k);
      if (!pod || !this.pod(k)) continue;
      uids.push(pod.uid, ...(pod.workload ? [pod.workload.uid] : []));
      issues.push(...(this.podPolicies.get(k)?.issues ?? []));
    }
    return { uids, issues };
  }

  /** Validation issues of every Service and pod seen so far. */
  issues(): PolicyIssue[] {
    for (const k of this.model.services.keys()) this.bundle(k);
    for (const k of this.model.pods.keys()) this.pod(k);
    return [
      ...[...this.serviceIssues.values()].flat(),
      ...[...this.podPolicies.values()].flatMap((p) => p.issues),
    ];
  }

  forget(service: ObjectKey): void {
    this.invalidate({ services: [service] });
    this.serviceIssues.delete(service);
  }
}
