// The scale benchmark's cluster, as a controller-less fake API would hold it: per Service a
// Deployment, its ReplicaSet, the pods (Running, with IPs, owned by the ReplicaSet) and one
// EndpointSlice, all built directly so the fake's controllers need not run. Every Service has a
// traffic.port label; even ones split v1/v2 by weight; the first pod of each Service is a proxy
// (traffic.envoy.enabled=true), and the first proxy calls only five Services.
import type { KubeObject } from '../test/fake-kube/kube.js';

export interface ScaleShape {
  services: number;
  podsPerService: number;
  namespaces: number;
}

/** 1,000 Services of 10 pods; `TM_BENCH_SCALE_SERVICES` shrinks it for a quick look. */
export const SHAPE: ScaleShape = {
  services: Number(process.env.TM_BENCH_SCALE_SERVICES ?? 1000),
  podsPerService: 10,
  namespaces: 10,
};
export const PORT = 9080;
export const EGRESS = 'traffic.egress.services';
const HASH = '7c9d5f8b64';

export interface Svc {
  index: number;
  name: string;
  namespace: string;
}

export function serviceAt(shape: ScaleShape, i: number): Svc {
  return { index: i, name: `svc-${i}`, namespace: `scale-${i % shape.namespaces}` };
}

/** Pod IPs: 10.0.0.0/12 for the seeded pods; `generation` > 0 for replacements (fresh ranges). */
export function podIp(n: number, generation = 0): string {
  const v = n + 1 + generation * 0x100000;
  return `10.${(v >> 16) & 255}.${(v >> 8) & 255}.${v & 255}`;
}

export function podName(s: Svc, p: number, generation = 0): string {
  const suffix = (s.index * 97 + p * 31 + generation * 7919).toString(36).padStart(5, 'z');
  return `${s.name}-${HASH}-${suffix.slice(-5)}`;
}

export function nodeIdOf(s: Svc, p = 0): string {
  return `${podName(s, p)}.${s.namespace}`;
}

function meta(name: string, namespace: string, extra: KubeObject = {}): KubeObject {
  return { name, namespace, ...extra };
}

export function serviceObject(s: Svc, weights?: [number, number]): KubeObject {
  const labels: Record<string, string> = { app: s.name, [`traffic.port.${PORT}`]: 'http' };
  const w = weights ?? (s.index % 2 === 0 ? [90, 10] : undefined);
  if (w) {
    labels['traffic.version.v1.weight'] = String(w[0]);
    labels['traffic.version.v2.weight'] = String(w[1]);
  }
  const ip = `172.20.${(s.index >> 8) & 255}.${s.index & 255}`;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(s.name, s.namespace, { labels }),
    spec: {
      selector: { app: s.name },
      clusterIP: ip,
      clusterIPs: [ip],
      ports: [{ name: 'http', port: PORT, targetPort: PORT, protocol: 'TCP' }],
    },
  };
}

function workloads(s: Svc, replicas: number): KubeObject[] {
  const selector = { matchLabels: { app: s.name } };
  const template = {
    metadata: { labels: { app: s.name } },
    spec: { containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: PORT }] }] },
  };
  const deployUid = `uid-deploy-${s.namespace}-${s.name}`;
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(s.name, s.namespace, { uid: deployUid, labels: { app: s.name } }),
      spec: { replicas, selector, template },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: meta(`${s.name}-${HASH}`, s.namespace, {
        labels: { app: s.name, 'pod-template-hash': HASH },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: s.name,
            uid: deployUid,
            controller: true,
          },
        ],
      }),
      spec: { replicas, selector, template },
    },
  ];
}

export interface PodSpec {
  svc: Svc;
  index: number;
  generation: number;
  ip: string;
  name: string;
}

export function podSpec(shape: ScaleShape, s: Svc, p: number, generation = 0): PodSpec {
  const n = s.index * shape.podsPerService + p;
  return {
    svc: s,
    index: p,
    generation,
    ip: podIp(n, generation),
    name: podName(s, p, generation),
  };
}

export function podObject(shape: ScaleShape, ps: PodSpec): KubeObject {
  const { svc: s, index: p } = ps;
  const labels: Record<string, string> = {
    app: s.name,
    version: p < 8 ? 'v1' : 'v2',
    'pod-template-hash': HASH,
  };
  if (p === 0) labels['traffic.envoy.enabled'] = 'true';
  const annotations: Record<string, string> = {};
  if (p === 0 && s.index === 0) {
    const five = [1, 2, 3, 4, 5].map((i) => serviceAt(shape, i));
    annotations[EGRESS] = five.map((x) => `${x.name}.${x.namespace}`).join(',');
  }
  const rs = `${s.name}-${HASH}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(ps.name, s.namespace, {
      labels,
      annotations,
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: rs,
          uid: `uid-rs-${s.namespace}-${rs}`,
          controller: true,
        },
      ],
    }),
    spec: {
      nodeName: `node-${p}`,
      containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: PORT }] }],
    },
    status: {
      phase: 'Running',
      podIP: ps.ip,
      podIPs: [{ ip: ps.ip }],
      hostIP: `192.168.0.${p + 1}`,
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

/** The Service's one EndpointSlice over `pods`, as the EndpointSlice controller writes it. */
export function sliceObject(s: Svc, pods: readonly PodSpec[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: meta(`${s.name}-abcde`, s.namespace, {
      labels: {
        'kubernetes.io/service-name': s.name,
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
      },
    }),
    addressType: 'IPv4',
    ports: [{ name: 'http', port: PORT, protocol: 'TCP' }],
    endpoints: pods.map((p) => ({
      addresses: [p.ip],
      conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: 'Pod', name: p.name, namespace: s.namespace },
      nodeName: `node-${p.index}`,
    })),
  };
}

/** Everything to seed: namespaces come with it (seed creates missing ones). */
export function generate(shape: ScaleShape = SHAPE): KubeObject[] {
  const out: KubeObject[] = [];
  for (let i = 0; i < shape.services; i++) {
    const s = serviceAt(shape, i);
    const pods = Array.from({ length: shape.podsPerService }, (_, p) => podSpec(shape, s, p));
    out.push(...workloads(s, shape.podsPerService));
    out.push(...pods.map((p) => podObject(shape, p)));
    out.push(sliceObject(s, pods), serviceObject(s));
  }
  return out;
}

/** Node ids of the proxies (first pod of every Service). */
export function proxyNodes(shape: ScaleShape = SHAPE): string[] {
  return Array.from({ length: shape.services }, (_, i) => nodeIdOf(serviceAt(shape, i)));
}

/** The proxy that calls five Services (traffic.egress.services) and a whole-mesh one. */
export function scopedNode(shape: ScaleShape = SHAPE): string {
  return nodeIdOf(serviceAt(shape, 0));
}

export interface Replacement {
  svc: Svc;
  old: PodSpec;
  fresh: PodSpec;
}

/**
 * Storm `generation` (1, 2, …): `count` non-proxy pods (index ≥ 1) of distinct Services, each
 * replaced by a new pod with a new IP; every storm replaces the same slots.
 */
export function stormPlan(shape: ScaleShape, count: number, generation: number): Replacement[] {
  return Array.from({ length: count }, (_, k) => {
    const svc = serviceAt(shape, (k * 7) % shape.services);
    const p = 1 + (k % (shape.podsPerService - 1));
    const old = podSpec(shape, svc, p, generation - 1);
    return { svc, old, fresh: podSpec(shape, svc, p, generation) };
  });
}
