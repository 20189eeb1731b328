// One agent test environment: the fake API (with its workload controllers), the shared private
// Docker engine, a DockerKubelet that makes the API's pods real sandboxes on node "node-a", the
// stand-in Envoy image (admin 8900, capture 10000), and an in-process traffic-agent. Everything
// it creates carries the test's run id and is removed in teardown.
import * as k8s from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { TrafficAgent } from '../../agent/agent.js';
import { DEFAULT_CONFIG, type AgentConfig } from '../../agent/config.js';
import { DockerRuntime } from '../../agent/runtime/docker.js';
import { createLogger } from '../../lib/log.js';
import { startFake, waitFor, type Harness } from '../fake-kube/testing.js';
import { startDockerd, type DockerdHandle } from '../harness/dockerd.js';
import { ensureBusyboxImage } from '../harness/images.js';
import { HARNESS_LABEL } from '../harness/labels.js';
import { podEnv, type PodEnv } from '../harness/pods.js';
import { ensureStandInEnvoyImage } from '../harness/standin-proxy.js';
import { sweep } from '../harness/sweep.js';
import { DockerKubelet } from './docker-kubelet.js';

interface Tap {
  teardown(fn: () => unknown): void;
}

export interface AgentEnv extends Harness {
  engine: DockerdHandle;
  env: PodEnv;
  kubelet: DockerKubelet;
  runtime: DockerRuntime;
  config: AgentConfig;
  core: k8s.CoreV1Api;
  /** The agent's runtime flags, for tests that run it as a process. */
  runtimeArgs: string[];
  startAgent(overrides?: Partial<AgentConfig>): Promise<TrafficAgent>;
}

/** What the helpers below need of an environment (Docker's or containerd's). */
export type ApiEnv = Pick<AgentEnv, 'core'>;

export interface AgentEnvOptions {
  /** A dedicated engine this test may restart (and sandboxes that come back after it). */
  dedicatedEngine?: boolean;
}

export async function agentEnv(t: Tap, o: AgentEnvOptions = {}): Promise<AgentEnv> {
  const h = await startFake(t);
  // One teardown, last in first out: agents, then the kubelet, then containers, then the engine.
  const cleanup: Array<() => unknown> = [];
  t.teardown(async () => {
    for (const fn of cleanup.reverse()) await fn();
  });
  const engine = await startDockerd({ shared: !o.dedicatedEngine });
  if (o.dedicatedEngine) cleanup.push(() => engine.stop());
  // A node name per environment: test files share one engine, and an agent owns only its node's proxies.
  const env = podEnv(engine, { nodeName: `node-${randomBytes(4).toString('hex')}` });
  cleanup.push(() => sweep(engine, env.runId));
  await ensureBusyboxImage(engine.docker);
  const proxyImage = await ensureStandInEnvoyImage(engine.docker, { admin: 8900, capture: 10000 });
  const kubelet = new DockerKubelet(h.fake, env, o.dedicatedEngine ? 'always' : 'no');
  kubelet.start();
  cleanup.push(() => kubelet.stop());
  const runtime = new DockerRuntime(engine.docker, env.nodeName);
  const config: AgentConfig = {
    ...DEFAULT_CONFIG,
    nodeName: env.nodeName,
    proxyImage,
    proxyLabels: { [HARNESS_LABEL]: env.runId },
    resyncMs: 2000,
    readyTimeoutMs: 20_000,
    drainSeconds: 1,
  };
  const startAgent = async (overrides: Partial<AgentConfig> = {}): Promise<TrafficAgent> => {
    const log = createLogger({ name: 'traffic-agent', level: process.env.TM_TEST_LOG ?? 'silent' });
    const agent = new TrafficAgent({ kc: h.kc, runtime, config: { ...config, ...overrides }, log });
    cleanup.push(() => agent.stop());
    await agent.start();
    return agent;
  };
  const core = h.kc.makeApiClient(k8s.CoreV1Api);
  const runtimeArgs = ['--runtime', 'docker', '--docker-host', `unix://${engine.socketPath}`];
  return { ...h, engine, env, kubelet, runtime, config, core, runtimeArgs, startAgent };
}

export function deployment(
  name: string,
  replicas: number,
  labels: Record<string, string> = {},
): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', labels },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'tm-test/busybox:1' }] },
      },
    },
  });
}

/** The Pod objects of an app, once the kubelet made them Running. */
export async function runningPods(e: ApiEnv, app: string, n: number): Promise<k8s.V1Pod[]> {
  return waitFor(
    `${n} running pods of ${app}`,
    async () => {
      const l = await e.core.listNamespacedPod({
        namespace: 'default',
        labelSelector: `app=${app}`,
      });
      const running = l.items.filter((p) => p.status?.phase === 'Running' && p.status.podIP);
      return running.length === n ? running : undefined;
    },
    30_000,
  );
}

export async function annotationOf(e: ApiEnv, name: string): Promise<string | undefined> {
  const p = await e.core.readNamespacedPod({ namespace: 'default', name });
  return p.metadata?.annotations?.['traffic.envoy.proxy'];
}

export async function eventsOf(e: ApiEnv, name: string): Promise<k8s.CoreV1Event[]> {
  const l = await e.core.listNamespacedEvent({ namespace: 'default' });
  return l.items.filter((ev) => ev.involvedObject.name === name);
}
