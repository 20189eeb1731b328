// One agent test environment on containerd: the fake API, a private containerd with CRI (its own
// for this test file), a CriKubelet making the API's pods real CRI sandboxes, the stand-in Envoy
// image in k8s.io (the agent adopts it into its own namespace), and an in-process traffic-agent
// with a ContainerdRuntime. Everything is removed in teardown, also when the test fails.
import * as k8s from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { TrafficAgent } from '../../agent/agent.js';
import { DEFAULT_CONFIG, type AgentConfig } from '../../agent/config.js';
import { ContainerdRuntime } from '../../agent/runtime/containerd.js';
import { createLogger } from '../../lib/log.js';
import { startFake, type Harness } from '../fake-kube/testing.js';
import { startContainerd, type ContainerdHandle } from '../harness/containerd.js';
import { HARNESS_LABEL } from '../harness/labels.js';
import { CriKubelet } from './cri-kubelet.js';

interface Tap {
  teardown(fn: () => unknown): void;
}

export interface CtrdAgentEnv extends Harness {
  ctrd: ContainerdHandle;
  kubelet: CriKubelet;
  runtime: ContainerdRuntime;
  nodeName: string;
  runId: string;
  config: AgentConfig;
  core: k8s.CoreV1Api;
  runtimeArgs: string[];
  startAgent(overrides?: Partial<AgentConfig>): Promise<TrafficAgent>;
}

export const STANDIN_ENVOY = 'tm-test/standin-envoy:8900-10000';

export async function ctrdAgentEnv(t: Tap): Promise<CtrdAgentEnv> {
  const h = await startFake(t);
  const cleanup: Array<() => unknown> = [];
  t.teardown(async () => {
    for (const fn of cleanup.reverse()) await fn();
  });
  const ctrd = await startContainerd();
  cleanup.push(() => ctrd.stop());
  const nodeName = `node-${randomBytes(4).toString('hex')}`;
  const runId = `r-${randomBytes(5).toString('hex')}`;
  const kubelet = new CriKubelet(h.fake, ctrd, { nodeName, runId });
  kubelet.start();
  cleanup.push(() => kubelet.stop());
  const proxyCgroups = `${ctrd.layout.cgroupParent}/proxies`;
  const runtime = new ContainerdRuntime({
    address: ctrd.layout.socket,
    node: nodeName,
    logDir: ctrd.layout.proxyLogs,
    cgroupParent: proxyCgroups,
  });
  cleanup.push(() => runtime.close());
  const config: AgentConfig = {
    ...DEFAULT_CONFIG,
    nodeName,
    proxyImage: STANDIN_ENVOY,
    proxyLabels: { [HARNESS_LABEL]: runId },
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
  // --runtime auto: the agent reads containerd://<version> from the Node object.
  const runtimeArgs = [
    ...['--runtime', 'auto', '--containerd-address', ctrd.layout.socket],
    ...['--proxy-log-dir', ctrd.layout.proxyLogs, '--proxy-cgroup-parent', proxyCgroups],
  ];
  const core = h.kc.makeApiClient(k8s.CoreV1Api);
  return { ...h, ctrd, kubelet, runtime, nodeName, runId, config, core, runtimeArgs, startAgent };
}
