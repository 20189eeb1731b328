// An end-to-end mesh on one machine: the fake Kubernetes API (with a simulated kubelet that gives
// pods loopback addresses), traffic-control against it, loopback gRPC backends listening on each
// pod's address, and helpers to wait until a proxy has acknowledged the config a change produced.
import * as k8s from '@kubernetes/client-node';
import { pino } from 'pino';
import { TrafficControl, type TrafficControlOptions } from '../../control/traffic-control.js';
import { startFake, type Harness, type Teardown } from '../fake-kube/testing.js';
import { startBackendAt, type Backend } from './backends.js';

/** A /24 in 127/8 that other test files are unlikely to use at the same time. */
export function randomLoopbackCidr(): string {
  const a = 20 + Math.floor(Math.random() * 200);
  const b = Math.floor(Math.random() * 250);
  return `127.${a}.${b}.0/24`;
}

export interface Mesh extends Harness {
  tc: TrafficControl;
  xdsPort: number;
  adminPort: number;
}

/** traffic-control against `kc` on loopback ports, stopped at teardown. */
export async function startTrafficControl(
  t: Teardown,
  kc: k8s.KubeConfig,
  o: Partial<TrafficControlOptions> = {},
): Promise<{ tc: TrafficControl; xdsPort: number; adminPort: number }> {
  const log = pino({ level: process.env.TM_TEST_LOG ?? 'silent' });
  const tc = new TrafficControl({ kc, log, host: '127.0.0.1', xdsPort: 0, adminPort: 0, ...o });
  const ports = await tc.start();
  t.teardown(() => tc.stop());
  return { tc, ...ports };
}

export async function startMesh(t: Teardown, o: { debounceMs?: number } = {}): Promise<Mesh> {
  const h = await startFake(t, { kubelet: { nodeName: 'node-a', podCidr: randomLoopbackCidr() } });
  const started = await startTrafficControl(t, h.kc, {
    debounceMs: o.debounceMs ?? 20,
    debounceMaxMs: 200,
  });
  return { ...h, ...started };
}

/** Pods of `app` once they run with an address: name → IP. */
export async function podIps(
  m: Pick<Mesh, 'kc'>,
  selector: string,
  count: number,
  namespace = 'default',
): Promise<Map<string, string>> {
  const core = m.kc.makeApiClient(k8s.CoreV1Api);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const pods = (await core.listNamespacedPod({ namespace, labelSelector: selector })).items;
    const ips = new Map(
      pods.flatMap((p) =>
        p.status?.podIP ? [[p.metadata?.name ?? '', p.status.podIP] as const] : [],
      ),
    );
    if (ips.size >= count) return ips;
    if (Date.now() > deadline) throw new Error(`pods ${selector}: ${ips.size} of ${count} running`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts a backend on every pod of `selector`, named after its `version` label. */
export async function backendsFor(
  t: Teardown,
  m: Pick<Mesh, 'kc'>,
  selector: string,
  count: number,
  port: number,
  namespace = 'default',
): Promise<Backend[]> {
  const core = m.kc.makeApiClient(k8s.CoreV1Api);
  const ips = await podIps(m, selector, count, namespace);
  const out: Backend[] = [];
  for (const [name, ip] of ips) {
    const pod = await core.readNamespacedPod({ name, namespace });
    const b = await startBackendAt(pod.metadata?.labels?.version ?? name, ip, port);
    t.teardown(() => b.stop());
    out.push(b);
  }
  return out;
}

const QUIET_MS = 100;

/**
 * Waits until the node's snapshot is no longer `before` and the node has acknowledged every type
 * it was sent: the change has reached the client.
 */
export async function converged(
  m: Pick<Mesh, 'tc'>,
  nodeId: string,
  before: string | undefined,
  ms = 10_000,
): Promise<{ fingerprint: string; lastAckAt: number }> {
  const deadline = Date.now() + ms;
  for (;;) {
    const now = fingerprint(m, nodeId);
    const types = Object.values(m.tc.plane.status.get(nodeId)?.types ?? {});
    const synced =
      types.length > 0 && types.every((s) => s.sent && s.acked?.version === s.sent.version);
    // A client asks for new clusters' endpoints only after it has the clusters: wait until
    // nothing more was sent for a moment, so the whole chain (CDS → EDS → RDS) is in place.
    const lastSent = Math.max(...types.map((s) => Date.parse(s.sent?.at ?? '') || 0));
    if (now && now !== before && synced && Date.now() - lastSent > QUIET_MS) {
      const lastAckAt = Math.max(...types.map((s) => Date.parse(s.acked?.at ?? '') || 0));
      return { fingerprint: now, lastAckAt };
    }
    if (Date.now() > deadline)
      throw new Error(`${nodeId} did not converge (snapshot ${now}, before ${before})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function fingerprint(m: Pick<Mesh, 'tc'>, nodeId: string): string | undefined {
  return m.tc.plane.cache.get(nodeId)?.snapshot.fingerprint();
}
