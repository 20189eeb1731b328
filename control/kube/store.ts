// The live cluster model, kept by informer events. Pods get their workload resolved through
// ownerReferences (Pod → ReplicaSet → Deployment, or StatefulSet / DaemonSet directly), never by
// selector overlap; a workload's labels then reach all of its pods. Every apply returns what
// changed, for the translator to rebuild just that. Ingresses, IngressClasses and Secrets change
// only the ingress gateway's config (`gateway`).
import type * as k8s from '@kubernetes/client-node';
import type { ChangeType } from '../../lib/informer.js';
import {
  objectKey,
  type ClusterModel,
  type EndpointSliceModel,
  type IngressClassModel,
  type IngressModel,
  type SecretModel,
  type ObjectKey,
  type PodModel,
  type ServiceModel,
  type WorkloadRef,
} from '../model/types.js';
import { DEFAULT_INGRESS_CLASS, selectedIngresses } from '../policy/ingress-class.js';
import {
  ingressClassModel,
  ingressModel,
  podModel,
  secretModel,
  serviceModel,
  sliceModel,
} from './convert.js';

export interface Change {
  services: Set<ObjectKey>;
  pods: Set<ObjectKey>;
  /** Ingresses, IngressClasses or their Secrets changed: the gateway's config may have. */
  gateway?: boolean;
  /** Endpoints stopped being ready or left: callers' traffic to them fails until pushed. */
  urgent?: boolean;
}

export type WorkloadKind = 'Deployment' | 'ReplicaSet' | 'StatefulSet' | 'DaemonSet';

interface Workload {
  uid: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  owner?: k8s.V1OwnerReference;
}

/** The pods resolved to one workload (`Kind/ns/name`). */
interface Dependents {
  id: string;
  pods: Set<ObjectKey>;
}

interface PodBase {
  model: PodModel;
  owner: k8s.V1OwnerReference | undefined;
}

const none = (): Change => ({ services: new Set(), pods: new Set() });
const gateway = (): Change => ({ services: new Set(), pods: new Set(), gateway: true });

function controllerOf(refs: k8s.V1OwnerReference[] | undefined): k8s.V1OwnerReference | undefined {
  return refs?.find((r) => r.controller) ?? refs?.[0];
}

const readyAddresses = (s: EndpointSliceModel | undefined): Set<string> =>
  new Set((s?.endpoints ?? []).filter((e) => e.ready).flatMap((e) => e.addresses));

/** Does an address that was ready in `before` not stay ready in `after`? */
export function lostReady(
  before: EndpointSliceModel | undefined,
  after: EndpointSliceModel | undefined,
): boolean {
  const now = readyAddresses(after);
  for (const a of readyAddresses(before)) if (!now.has(a)) return true;
  return false;
}

export class ModelStore implements ClusterModel {
  readonly services = new Map<ObjectKey, ServiceModel>();
  readonly pods = new Map<ObjectKey, PodModel>();
  readonly slices = new Map<ObjectKey, EndpointSliceModel[]>();
  readonly ingresses = new Map<ObjectKey, IngressModel>();
  readonly secrets = new Map<ObjectKey, SecretModel>();
  readonly secretsListed = new Set<ObjectKey>();
  readonly ingressClasses = new Map<string, IngressClassModel>();
  private readonly sliceSets = new Map<ObjectKey, Map<string, EndpointSliceModel>>();
  /** Each pod as converted, before its workload is resolved, and its controller reference. */
  private readonly bases = new Map<ObjectKey, PodBase>();
  private readonly workloads = new Map<string, Workload>();
  /** `Kind/ns/name` of a workload → pods resolved to it (directly or through a ReplicaSet). */
  private readonly dependents = new Map<string, Dependents>();
  /** The reverse of `dependents`: pod → the entries it is in (shared, not one id string each). */
  private readonly ownersOf = new Map<ObjectKey, Dependents[]>();

  /** `ingressClass`: the class whose Ingresses (and so whose Secrets) are ours. */
  constructor(private readonly ingressClass: string = DEFAULT_INGRESS_CLASS) {}

  applyService(type: ChangeType, s: k8s.V1Service): Change {
    const m = serviceModel(s);
    const key = objectKey(m.namespace, m.name);
    if (type === 'delete') this.services.delete(key);
    else this.services.set(key, m);
    return { services: new Set([key]), pods: new Set() };
  }

  applySlice(type: ChangeType, s: k8s.V1EndpointSlice): Change {
    const m = sliceModel(s);
    if (!m) return none();
    const svc = objectKey(m.namespace, m.service);
    let set = this.sliceSets.get(svc);
    if (!set) this.sliceSets.set(svc, (set = new Map<string, EndpointSliceModel>()));
    const urgent = lostReady(set.get(m.name), type === 'delete' ? undefined : m);
    if (type === 'delete') set.delete(m.name);
    else set.set(m.name, m);
    const list = [...set.values()].sort((a, b) => a.name.localeCompare(b.name));
    if (list.length === 0) {
      this.slices.delete(svc);
      this.sliceSets.delete(svc);
    } else this.slices.set(svc, list);
    return { services: new Set([svc]), pods: new Set(), ...(urgent ? { urgent } : {}) };
  }

  applyIngress(type: ChangeType, i: k8s.V1Ingress): Change {
    const m = ingressModel(i);
    const key = objectKey(m.namespace, m.name);
    if (type === 'delete') this.ingresses.delete(key);
    else this.ingresses.set(key, m);
    return gateway();
  }

  applyIngressClass(type: ChangeType, c: k8s.V1IngressClass): Change {
    const m = ingressClassModel(c);
    if (type === 'delete') this.ingressClasses.delete(m.name);
    else this.ingressClasses.set(m.name, m);
    return gateway();
  }

  applySecret(type: ChangeType, sec: k8s.V1Secret): Change {
    const m = secretModel(sec);
    const key = objectKey(m.namespace, m.name);
    if (type === 'delete') this.secrets.delete(key);
    else this.secrets.set(key, m);
    return gateway();
  }

  /** The watch of Secret `key` has listed once: from now on, absent means it does not exist. */
  secretListed(key: ObjectKey): Change {
    this.secretsListed.add(key);
    return gateway();
  }

  forgetSecret(key: ObjectKey): void {
    this.secrets.delete(key);
    this.secretsListed.delete(key);
  }

  /** `namespace/name` of every Secret one of our Ingresses' tls names, in its own namespace. */
  referencedSecrets(): Set<ObjectKey> {
    const out = new Set<ObjectKey>();
    for (const i of selectedIngresses(this, this.ingressClass)) {
      for (const t of i.tls) if (t.secretName) out.add(objectKey(i.namespace, t.secretName));
    }
    return out;
  }

  applyPod(type: ChangeType, p: k8s.V1Pod): Change {
    const ns = p.metadata?.namespace ?? 'default';
    const key = objectKey(ns, p.metadata?.name ?? '');
    this.unindex(key);
    if (type === 'delete') {
      this.pods.delete(key);
      this.bases.delete(key);
    } else {
      const base = { model: podModel(p), owner: controllerOf(p.metadata?.ownerReferences) };
      this.bases.set(key, base);
      this.pods.set(key, this.resolve(key, base));
    }
    return { services: new Set(), pods: new Set([key]) };
  }

  applyWorkload(kind: WorkloadKind, type: ChangeType, o: k8s.KubernetesObject): Change {
    const ns = o.metadata?.namespace ?? 'default';
    const id = `${kind}/${ns}/${o.metadata?.name ?? ''}`;
    if (type === 'delete') this.workloads.delete(id);
    else {
      const meta = o.metadata ?? {};
      this.workloads.set(id, {
        uid: meta.uid ?? '',
        labels: { ...(meta.labels ?? {}) },
        annotations: { ...(meta.annotations ?? {}) },
        owner: controllerOf(meta.ownerReferences),
      });
    }
    const change = none();
    for (const podKey of [...(this.dependents.get(id)?.pods ?? [])]) {
      const base = this.bases.get(podKey);
      if (!base) continue;
      this.unindex(podKey);
      this.pods.set(podKey, this.resolve(podKey, base));
      change.pods.add(podKey);
    }
    return change;
  }

  private unindex(podKey: ObjectKey): void {
    for (const d of this.ownersOf.get(podKey) ?? []) {
      d.pods.delete(podKey);
      if (d.pods.size === 0) this.dependents.delete(d.id);
    }
    this.ownersOf.delete(podKey);
  }

  private index(id: string, podKey: ObjectKey): void {
    let d = this.dependents.get(id);
    if (!d) this.dependents.set(id, (d = { id, pods: new Set() }));
    d.pods.add(podKey);
    const owners = this.ownersOf.get(podKey);
    if (!owners) this.ownersOf.set(podKey, [d]);
    else if (!owners.includes(d)) owners.push(d);
  }

  /** Follows controller ownerReferences up to the workload whose labels apply. */
  private resolve(key: ObjectKey, pod: PodBase): PodModel {
    const base = pod.model;
    const ns = base.namespace;
    let ref = pod.owner;
    for (let depth = 0; ref && depth < 3; depth++) {
      const id = `${ref.kind}/${ns}/${ref.name}`;
      this.index(id, key);
      const w = this.workloads.get(id);
      if (ref.kind !== 'ReplicaSet' || !w?.owner) return this.withWorkload(base, ref, w);
      ref = w.owner;
    }
    return base;
  }

  private withWorkload(
    pod: PodModel,
    ref: k8s.V1OwnerReference,
    w: Workload | undefined,
  ): PodModel {
    const kind = ref.kind as WorkloadRef['kind'];
    return {
      ...pod,
      workload: { kind, name: ref.name, uid: w?.uid ?? ref.uid },
      workloadLabels: w?.labels ?? {},
      workloadAnnotations: w?.annotations ?? {},
    };
  }
}
