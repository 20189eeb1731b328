// What the Endpoints and EndpointSlice controllers share: which pods back a Service, their IPs,
// and the Service's ports resolved against each pod (named targetPorts looked up in the pod's
// container ports).
import {
  asArray,
  asNumber,
  asObject,
  asObjects,
  asString,
  getIn,
  type JsonObject,
  scalarText,
} from '../json.js';
import { isTerminating, labelsOf, namespaceOf, type KubeObject } from '../kube.js';

export interface ResolvedPort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export function serviceSelector(svc: KubeObject): Record<string, string> | undefined {
  const sel = asObject(getIn(svc, ['spec', 'selector']));
  if (!sel || Object.keys(sel).length === 0 || getIn(svc, ['spec', 'type']) === 'ExternalName')
    return undefined;
  return Object.fromEntries(Object.entries(sel).map(([k, v]) => [k, scalarText(v)]));
}

/** Pods selected by the Service that have an IP and have not finished. */
export function backingPods(svc: KubeObject, pods: KubeObject[]): KubeObject[] {
  const selector = serviceSelector(svc);
  if (!selector) return [];
  return pods.filter((p) => {
    if (namespaceOf(p) !== namespaceOf(svc)) return false;
    const labels = labelsOf(p);
    if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) return false;
    const phase = getIn(p, ['status', 'phase']);
    return phase !== 'Succeeded' && phase !== 'Failed' && podIPs(p).length > 0;
  });
}

export function podIPs(pod: KubeObject): string[] {
  const list = asObjects(getIn(pod, ['status', 'podIPs'])).map((x) => asString(x.ip) ?? '');
  const single = asString(getIn(pod, ['status', 'podIP']));
  const ips = list.length > 0 ? list : single ? [single] : [];
  return ips.filter((ip) => ip !== '');
}

export function familyOf(ip: string): 'IPv4' | 'IPv6' {
  return ip.includes(':') ? 'IPv6' : 'IPv4';
}

function findContainerPort(pod: KubeObject, name: string, protocol: string): number | undefined {
  const containers = asObjects(getIn(pod, ['spec', 'containers']));
  for (const c of containers) {
    const p = asObjects(c.ports).find(
      (x) => x.name === name && (asString(x.protocol) ?? 'TCP') === protocol,
    );
    if (p) return asNumber(p.containerPort);
  }
  return undefined;
}

/** The Service's ports as this pod serves them; ports whose named targetPort the pod lacks are left out. */
export function resolvePorts(svc: KubeObject, pod: KubeObject): ResolvedPort[] {
  const out: ResolvedPort[] = [];
  for (const sp of asObjects(getIn(svc, ['spec', 'ports']))) {
    const protocol = asString(sp.protocol) ?? 'TCP';
    const target = sp.targetPort ?? sp.port;
    const port =
      typeof target === 'string' && !/^\d+$/.test(target)
        ? findContainerPort(pod, target, protocol)
        : Number(target);
    if (port === undefined || !Number.isFinite(port)) continue;
    const resolved: ResolvedPort = { name: asString(sp.name) ?? '', port, protocol };
    const app = asString(sp.appProtocol);
    if (app) resolved.appProtocol = app;
    out.push(resolved);
  }
  return out;
}

export interface PodConditions {
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

export function conditionsOf(svc: KubeObject, pod: KubeObject): PodConditions {
  const terminating = isTerminating(pod);
  const podReady = asObjects(getIn(pod, ['status', 'conditions'])).some(
    (c) => c.type === 'Ready' && c.status === 'True',
  );
  if (getIn(svc, ['spec', 'publishNotReadyAddresses']) === true)
    return { ready: true, serving: true, terminating };
  return { ready: podReady && !terminating, serving: podReady, terminating };
}

export function targetRef(pod: KubeObject): JsonObject {
  const meta = asObject(pod.metadata) ?? {};
  return {
    kind: 'Pod',
    namespace: meta.namespace ?? '',
    name: meta.name ?? '',
    uid: meta.uid ?? '',
  };
}

/** The IP families a Service's slices cover: its ipFamilies plus any family its pods use. */
export function familiesFor(svc: KubeObject, ips: string[]): ('IPv4' | 'IPv6')[] {
  const declared = asArray(getIn(svc, ['spec', 'ipFamilies'])).filter(
    (f): f is 'IPv4' | 'IPv6' => f === 'IPv4' || f === 'IPv6',
  );
  const families = new Set<'IPv4' | 'IPv6'>(declared.length > 0 ? declared : ['IPv4']);
  for (const ip of ips) families.add(familyOf(ip));
  return [...families].sort();
}
