// What the informers keep of each object: only the fields the model reads (convert.ts and the
// store), plus what list-and-watch itself needs (name, namespace, uid, resourceVersion). A real
// pod carries managedFields, container specs, volumes and statuses that traffic-control never
// reads; at 10,000 pods, caching them whole cost tens of MiB. Each slimmer returns a new plain
// object and never mutates its input.
import type * as k8s from '@kubernetes/client-node';

type Meta = k8s.V1ObjectMeta | undefined;

function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

function meta(m: Meta, extra: { annotations?: boolean; owners?: boolean } = {}): k8s.V1ObjectMeta {
  return defined({
    name: m?.name,
    namespace: m?.namespace,
    uid: m?.uid,
    resourceVersion: m?.resourceVersion,
    labels: m?.labels,
    annotations: extra.annotations === false ? undefined : m?.annotations,
    ownerReferences: extra.owners ? m?.ownerReferences : undefined,
  });
}

export function slimPod(p: k8s.V1Pod): k8s.V1Pod {
  const ready = p.status?.conditions?.filter((c) => c.type === 'Ready');
  return {
    metadata: meta(p.metadata, { owners: true }),
    spec: defined({
      nodeName: p.spec?.nodeName,
      hostNetwork: p.spec?.hostNetwork,
      containers: [],
    }),
    status: defined({
      phase: p.status?.phase,
      podIP: p.status?.podIP,
      podIPs: p.status?.podIPs,
      conditions: ready?.map((c) => ({ type: c.type, status: c.status })),
    }),
  };
}

export function slimService(s: k8s.V1Service): k8s.V1Service {
  const spec = s.spec;
  return {
    metadata: meta(s.metadata),
    spec: defined({
      clusterIP: spec?.clusterIP,
      clusterIPs: spec?.clusterIPs,
      type: spec?.type,
      ports: spec?.ports,
    }),
    status: defined({ loadBalancer: s.status?.loadBalancer }),
  };
}

export function slimSlice(s: k8s.V1EndpointSlice): k8s.V1EndpointSlice {
  return defined({
    metadata: meta(s.metadata, { annotations: false }),
    addressType: s.addressType,
    ports: s.ports,
    endpoints: (s.endpoints ?? []).map((e) =>
      defined({
        addresses: e.addresses,
        conditions: e.conditions,
        targetRef: e.targetRef
          ? defined({
              kind: e.targetRef.kind,
              name: e.targetRef.name,
              namespace: e.targetRef.namespace,
            })
          : undefined,
        nodeName: e.nodeName,
      }),
    ),
  });
}

/**
 * Once the store has converted an object, the informer's cache needs only its identity (and,
 * for a slice, the Service it belongs to: a delete found by a re-list is converted from it).
 */
export function toIdentity(o: k8s.KubernetesObject): void {
  const m = o.metadata ?? {};
  const service = m.labels?.[SERVICE_NAME];
  for (const k of Object.keys(o)) if (k !== 'metadata') delete (o as Record<string, unknown>)[k];
  o.metadata = defined({
    name: m.name,
    namespace: m.namespace,
    uid: m.uid,
    resourceVersion: m.resourceVersion,
    labels: service === undefined ? undefined : { [SERVICE_NAME]: service },
  });
}

const SERVICE_NAME = 'kubernetes.io/service-name';

/** Deployments, ReplicaSets, StatefulSets, DaemonSets: the store reads their metadata only. */
export function slimWorkload(o: k8s.KubernetesObject): k8s.KubernetesObject {
  return { metadata: meta(o.metadata, { owners: true }) };
}
