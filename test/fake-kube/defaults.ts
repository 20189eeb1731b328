// The defaulting the apiserver does on every write, limited to what clients of this fake read:
// pod spec basics, replicas, Service cluster IPs and node ports, namespace labels.
import {
  asNumber,
  asObject,
  asObjects,
  asString,
  ensureObject,
  getIn,
  type JsonObject,
} from './json.js';
import { metadataOf, nameOf, namespaceOf, type KubeObject } from './kube.js';
import type { ResourceDef } from './registry.js';

export interface DefaultsContext {
  /** The stored object being updated, if any. */
  old?: KubeObject;
  /** All stored Services, for IP and node port allocation. */
  services: () => KubeObject[];
}

function setDefault(obj: JsonObject, key: string, value: JsonObject[string]): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
}

function defaultContainer(c: JsonObject): void {
  const image = asString(c.image) ?? '';
  const tagged = /:[^/]+$/.test(image) && !image.endsWith(':latest');
  setDefault(c, 'imagePullPolicy', tagged || image.includes('@') ? 'IfNotPresent' : 'Always');
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  setDefault(c, 'resources', {});
  for (const p of asObjects(c.ports)) setDefault(p, 'protocol', 'TCP');
}

export function defaultPodSpec(spec: JsonObject): void {
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'serviceAccountName', 'default');
  setDefault(spec, 'enableServiceLinks', true);
  for (const c of [...asObjects(spec.containers), ...asObjects(spec.initContainers)])
    defaultContainer(c);
}

function defaultWorkload(res: ResourceDef, obj: KubeObject): void {
  const spec = ensureObject(obj, 'spec');
  if (res.plural !== 'daemonsets') setDefault(spec, 'replicas', 1);
  if (res.plural === 'deployments') {
    setDefault(spec, 'revisionHistoryLimit', 10);
    setDefault(spec, 'progressDeadlineSeconds', 600);
    setDefault(spec, 'strategy', {
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
    });
  }
  if (res.plural === 'statefulsets') {
    setDefault(spec, 'podManagementPolicy', 'OrderedReady');
    setDefault(spec, 'updateStrategy', { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  }
  const podSpec = asObject(getIn(spec, ['template', 'spec']));
  if (podSpec) defaultPodSpec(podSpec);
}

function ipToNumber(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function numberToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** The lowest free address in 10.96.0.0/16 from .10 on (.1 is the kubernetes Service in real clusters). */
function allocateClusterIP(services: KubeObject[]): string {
  const used = new Set(services.map((s) => asString(getIn(s, ['spec', 'clusterIP']))));
  const base = ipToNumber('10.96.0.0');
  for (let n = 10; n < 65535; n++) {
    const ip = numberToIp(base + n);
    if (!used.has(ip)) return ip;
  }
  throw new Error('fake-kube: service IP range exhausted');
}

function allocateNodePort(services: KubeObject[], taken: Set<number>): number {
  for (const s of services)
    for (const p of asObjects(getIn(s, ['spec', 'ports']))) taken.add(asNumber(p.nodePort) ?? 0);
  for (let port = 30000; port <= 32767; port++) if (!taken.has(port)) return port;
  throw new Error('fake-kube: node port range exhausted');
}

function defaultServicePorts(
  spec: JsonObject,
  oldSpec: JsonObject,
  nodePorts: boolean,
  others: KubeObject[],
): void {
  const taken = new Set<number>();
  for (const p of asObjects(spec.ports)) {
    setDefault(p, 'protocol', 'TCP');
    setDefault(p, 'targetPort', p.port ?? null);
    const oldPort = asObjects(oldSpec.ports).find(
      (o) => o.port === p.port && o.nodePort !== undefined,
    );
    if (nodePorts && p.nodePort === undefined) {
      p.nodePort = asNumber(oldPort?.nodePort) ?? allocateNodePort(others, taken);
    }
    taken.add(asNumber(p.nodePort) ?? 0);
  }
}

function defaultService(obj: KubeObject, ctx: DefaultsContext): void {
  const spec = ensureObject(obj, 'spec');
  const oldSpec = asObject(ctx.old?.spec) ?? {};
  setDefault(spec, 'type', 'ClusterIP');
  setDefault(spec, 'sessionAffinity', 'None');
  const type = asString(spec.type);
  const others = ctx
    .services()
    .filter((s) => nameOf(s) !== nameOf(obj) || namespaceOf(s) !== namespaceOf(obj));
  defaultServicePorts(spec, oldSpec, type === 'NodePort' || type === 'LoadBalancer', others);
  if (type === 'ExternalName') return;
  setDefault(spec, 'clusterIP', asString(oldSpec.clusterIP) ?? allocateClusterIP(others));
  setDefault(spec, 'clusterIPs', [asString(spec.clusterIP) ?? '']);
  setDefault(spec, 'ipFamilies', ['IPv4']);
  setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
  setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  if (type === 'NodePort' || type === 'LoadBalancer')
    setDefault(spec, 'externalTrafficPolicy', 'Cluster');
}

export function applyDefaults(res: ResourceDef, obj: KubeObject, ctx: DefaultsContext): void {
  switch (res.plural) {
    case 'pods':
      defaultPodSpec(ensureObject(obj, 'spec'));
      return;
    case 'deployments':
    case 'replicasets':
    case 'statefulsets':
    case 'daemonsets':
      defaultWorkload(res, obj);
      return;
    case 'services':
      defaultService(obj, ctx);
      return;
    case 'secrets':
      setDefault(obj, 'type', 'Opaque');
      return;
    case 'namespaces':
      ensureObject(metadataOf(obj), 'labels')['kubernetes.io/metadata.name'] = nameOf(obj);
      setDefault(ensureObject(obj, 'spec'), 'finalizers', ['kubernetes']);
      return;
  }
}

/** The status an object starts with when the client's status is dropped on create. */
export function initialStatus(res: ResourceDef): JsonObject {
  if (res.plural === 'pods') return { phase: 'Pending', qosClass: 'BestEffort' };
  if (res.plural === 'namespaces') return { phase: 'Active' };
  if (res.plural === 'services') return { loadBalancer: {} };
  if (res.plural === 'ingresses') return { loadBalancer: {} };
  return {};
}
