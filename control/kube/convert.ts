// Kubernetes objects (as informers deliver them: class instances from lists, plain JSON from
// watches) → the cluster model's plain data. Only the fields translation needs are kept.
import type * as k8s from '@kubernetes/client-node';
import type {
  EndpointSliceModel,
  IngressBackend,
  IngressClassModel,
  IngressModel,
  LoadBalancerAddress,
  SecretModel,
  Labels,
  PodModel,
  ServiceModel,
  SliceEndpoint,
} from '../model/types.js';

const labelsOf = (m: k8s.V1ObjectMeta | undefined): Labels => ({ ...(m?.labels ?? {}) });
const annotationsOf = (m: k8s.V1ObjectMeta | undefined): Labels => ({ ...(m?.annotations ?? {}) });

/** ip / hostname of status.loadBalancer.ingress entries (of a Service or an Ingress). */
function addresses(
  list: readonly { ip?: string; hostname?: string }[] | undefined,
): LoadBalancerAddress[] | undefined {
  if (!list || list.length === 0) return undefined;
  return list.map((a) => ({
    ...(a.ip ? { ip: a.ip } : {}),
    ...(a.hostname ? { hostname: a.hostname } : {}),
  }));
}

export function serviceModel(s: k8s.V1Service): ServiceModel {
  const spec = s.spec ?? {};
  const ip = spec.clusterIP ?? '';
  const headless = ip === 'None';
  const ips =
    headless || ip === '' || spec.type === 'ExternalName' ? [] : (spec.clusterIPs ?? [ip]);
  return {
    name: s.metadata?.name ?? '',
    namespace: s.metadata?.namespace ?? 'default',
    uid: s.metadata?.uid ?? '',
    clusterIPs: ips.filter((x) => x !== '' && x !== 'None'),
    headless,
    ports: (spec.ports ?? []).map((p) => ({
      name: p.name ?? '',
      port: p.port,
      targetPort: p.targetPort ?? p.port,
      protocol: p.protocol ?? 'TCP',
      ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
    })),
    labels: labelsOf(s.metadata),
    annotations: annotationsOf(s.metadata),
    ...optional('loadBalancer', serviceAddresses(s)),
  };
}

function serviceAddresses(s: k8s.V1Service): LoadBalancerAddress[] | undefined {
  return addresses(s.status?.loadBalancer?.ingress);
}

function optional<K extends string, V>(key: K, v: V | undefined): Partial<Record<K, V>> {
  return v === undefined ? {} : ({ [key]: v } as Record<K, V>);
}

function podReady(p: k8s.V1Pod): boolean {
  return (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function podIps(p: k8s.V1Pod): string[] {
  const ips = (p.status?.podIPs ?? []).map((x) => x.ip).filter((x): x is string => !!x);
  const first = p.status?.podIP;
  return ips.length > 0 ? ips : first ? [first] : [];
}

/** A pod without its workload resolved (the model store fills that in). */
export function podModel(p: k8s.V1Pod): PodModel {
  return {
    name: p.metadata?.name ?? '',
    namespace: p.metadata?.namespace ?? 'default',
    uid: p.metadata?.uid ?? '',
    ips: podIps(p),
    nodeName: p.spec?.nodeName ?? '',
    phase: p.status?.phase ?? 'Pending',
    ready: podReady(p),
    hostNetwork: p.spec?.hostNetwork === true,
    labels: labelsOf(p.metadata),
    annotations: annotationsOf(p.metadata),
    workloadLabels: {},
    workloadAnnotations: {},
  };
}

function sliceEndpoint(e: k8s.V1Endpoint, ns: string): SliceEndpoint {
  const c = e.conditions ?? {};
  // Per the API: a nil ready means ready; serving defaults to ready; terminating to false.
  const ready = c.ready ?? true;
  const ref = e.targetRef;
  return {
    addresses: e.addresses ?? [],
    ready,
    serving: c.serving ?? ready,
    terminating: c.terminating ?? false,
    ...(ref?.kind === 'Pod' && ref.name ? { pod: `${ref.namespace ?? ns}/${ref.name}` } : {}),
    ...(e.nodeName ? { nodeName: e.nodeName } : {}),
  };
}

export function sliceModel(s: k8s.V1EndpointSlice): EndpointSliceModel | undefined {
  const service = s.metadata?.labels?.['kubernetes.io/service-name'];
  if (!service) return undefined;
  const ns = s.metadata?.namespace ?? 'default';
  return {
    name: s.metadata?.name ?? '',
    namespace: ns,
    service,
    addressType: s.addressType as EndpointSliceModel['addressType'],
    ports: (s.ports ?? []).map((p) => ({
      name: p.name ?? '',
      port: p.port ?? 0,
      protocol: p.protocol ?? 'TCP',
    })),
    endpoints: (s.endpoints ?? []).map((e) => sliceEndpoint(e, ns)),
  };
}

function backend(b: k8s.V1IngressBackend | undefined): IngressBackend | undefined {
  const svc = b?.service;
  if (!svc?.name) return undefined;
  return { service: svc.name, port: svc.port?.number ?? svc.port?.name ?? 0 };
}

export function ingressModel(i: k8s.V1Ingress): IngressModel {
  const spec = i.spec ?? {};
  const defaultBackend = backend(spec.defaultBackend);
  return {
    name: i.metadata?.name ?? '',
    namespace: i.metadata?.namespace ?? 'default',
    uid: i.metadata?.uid ?? '',
    ...(spec.ingressClassName ? { className: spec.ingressClassName } : {}),
    annotations: annotationsOf(i.metadata),
    rules: (spec.rules ?? []).map((r) => ({
      ...(r.host ? { host: r.host } : {}),
      paths: (r.http?.paths ?? []).map((p) => {
        const b = backend(p.backend);
        return {
          path: p.path ?? '/',
          ...optional('pathType', p.pathType || undefined),
          ...optional('backend', b),
        };
      }),
    })),
    ...(defaultBackend ? { defaultBackend } : {}),
    tls: (spec.tls ?? []).map((t) => ({
      hosts: t.hosts ?? [],
      ...(t.secretName ? { secretName: t.secretName } : {}),
    })),
    ...optional('status', addresses(i.status?.loadBalancer?.ingress)),
  };
}

export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

export function ingressClassModel(c: k8s.V1IngressClass): IngressClassModel {
  return {
    name: c.metadata?.name ?? '',
    controller: c.spec?.controller ?? '',
    isDefault: c.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true',
  };
}

export function secretModel(s: k8s.V1Secret): SecretModel {
  const data = s.data ?? {};
  return {
    name: s.metadata?.name ?? '',
    namespace: s.metadata?.namespace ?? 'default',
    uid: s.metadata?.uid ?? '',
    type: s.type ?? 'Opaque',
    ...(data['tls.crt'] ? { certificateChain: data['tls.crt'] } : {}),
    ...(data['tls.key'] ? { privateKey: data['tls.key'] } : {}),
  };
}
