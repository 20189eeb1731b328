// One shape over both agent environments, so the same e2e scenarios run on Docker and on
// containerd: pods with their sandbox pid and IP, exec in the app container, the runtime's own
// view of a proxy (which netns it joined, its user, capabilities, limits), and the kubelet's
// action of stopping a sandbox behind the agent's back.
import type { TrafficAgent } from '../../agent/agent.js';
import type { AgentConfig } from '../../agent/config.js';
import type { ProxyRuntime } from '../../agent/runtime/types.js';
import type { Harness } from '../fake-kube/testing.js';
import { dockerExec } from '../harness/docker-exec.js';
import { execInApp, stopCriPod } from '../harness/cri-pods.js';
import { agentEnv, type AgentEnv } from './agent-env.js';
import { ctrdAgentEnv, type CtrdAgentEnv } from './ctrd-env.js';
import type * as k8s from '@kubernetes/client-node';

export type RuntimeKind = 'docker' | 'containerd';
export const RUNTIMES: readonly RuntimeKind[] = ['docker', 'containerd'];

export interface NodePod {
  name: string;
  namespace: string;
  uid: string;
  ip: string;
  pid: number;
  sandboxId: string;
}

export interface ProxyFacts {
  /** The proxy shares the network namespace of this sandbox. */
  joinsSandbox: string;
  user: string;
  /** Effective capabilities ([] = none). */
  capabilities: string[];
  labels: Record<string, string>;
  args: string[];
}

export interface RuntimeEnv extends Harness {
  kind: RuntimeKind;
  nodeName: string;
  runtime: ProxyRuntime;
  config: AgentConfig;
  core: k8s.CoreV1Api;
  runtimeArgs: string[];
  pod(namespace: string, name: string): NodePod | undefined;
  startAgent(overrides?: Partial<AgentConfig>): Promise<TrafficAgent>;
  exec(pod: NodePod, argv: string[]): Promise<{ exitCode: number; stdout: string }>;
  proxyFacts(id: string): Promise<ProxyFacts>;
  /** Stops the pod's sandbox (its containers go; proxies in its netns do not). */
  stopSandbox(pod: NodePod): Promise<void>;
  docker?: AgentEnv;
  containerd?: CtrdAgentEnv;
}

interface Tap {
  teardown(fn: () => unknown): void;
}

async function dockerEnv(t: Tap): Promise<RuntimeEnv> {
  const e = await agentEnv(t);
  const docker = e.engine.docker;
  return {
    ...e,
    kind: 'docker',
    nodeName: e.env.nodeName,
    pod: (ns, name) => e.kubelet.pod(ns, name),
    exec: async (pod, argv) => {
      const id = e.kubelet.pod(pod.namespace, pod.name)?.containers[0]?.id ?? '';
      return dockerExec(docker, id, argv);
    },
    proxyFacts: async (id) => {
      const info = await docker.getContainer(id).inspect();
      const mode = info.HostConfig.NetworkMode ?? '';
      return {
        joinsSandbox: mode.startsWith('container:') ? mode.slice('container:'.length) : '',
        user: info.Config.User,
        capabilities: info.HostConfig.CapDrop?.includes('ALL') ? [] : ['(default set)'],
        labels: info.Config.Labels,
        args: info.Config.Cmd ?? [],
      };
    },
    stopSandbox: async (pod) => {
      await docker.getContainer(pod.sandboxId).stop({ t: 1 });
    },
    docker: e,
  };
}

interface OciSpec {
  process: {
    user: { uid: number; gid: number };
    args: string[];
    capabilities: { effective: string[] };
  };
  linux: { namespaces: Array<{ type: string; path?: string }> };
}

async function containerdEnv(t: Tap): Promise<RuntimeEnv> {
  const e = await ctrdAgentEnv(t);
  return {
    ...e,
    kind: 'containerd',
    pod: (ns, name) => e.kubelet.pod(ns, name),
    exec: async (pod, argv) => {
      const p = e.kubelet.pod(pod.namespace, pod.name);
      if (!p) throw new Error(`no pod ${pod.name}`);
      return execInApp(p, argv);
    },
    proxyFacts: async (id) => {
      const r = await e.ctrd.api.containers.unary<{
        container: { labels: Record<string, string>; spec: { value: Buffer } };
      }>('Get', { id }, { ns: e.runtime.namespace });
      const spec = JSON.parse(r.container.spec.value.toString('utf8')) as OciSpec;
      const net = spec.linux.namespaces.find((n) => n.type === 'network')?.path ?? '';
      const owner = [...e.kubelet.pods.values()].find((p) => p.netnsPath === net);
      return {
        joinsSandbox: owner?.sandboxId ?? `(netns ${net})`,
        user: `${spec.process.user.uid}:${spec.process.user.gid}`,
        capabilities: spec.process.capabilities.effective,
        labels: r.container.labels,
        args: spec.process.args.slice(1),
      };
    },
    stopSandbox: async (pod) => {
      const p = e.kubelet.pod(pod.namespace, pod.name);
      if (p) await stopCriPod(p);
    },
    containerd: e,
  };
}

export function runtimeEnv(t: Tap, kind: RuntimeKind): Promise<RuntimeEnv> {
  return kind === 'docker' ? dockerEnv(t) : containerdEnv(t);
}
