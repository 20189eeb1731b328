// The small seam between the agent and a container runtime: find a pod's sandbox (the holder of
// its network namespace), and create, list, remove and read the logs of proxy containers that
// join it. Docker implements it today (docker.ts); containerd comes later behind the same shape.
import type { Readable } from 'node:stream';

export interface PodRef {
  name: string;
  namespace: string;
  uid: string;
}

export interface Sandbox {
  id: string;
  /** Host pid of a process in the pod's network namespace: /proc/<pid>/ns/net. */
  pid: number;
  /**
   * The runtime's own handle on the netns (Docker's SandboxKey, CRI's netns path), when it has
   * one. Preferred: opening /proc/<pid>/ns/net of a process of another uid (the pause process
   * runs as 65535) needs CAP_SYS_PTRACE, opening this file does not.
   */
  netnsPath?: string;
}

export type NetnsTarget = { pid: number } | { path: string };

/** Where to enter the sandbox's network namespace. */
export function netnsOf(s: Sandbox): NetnsTarget {
  return s.netnsPath ? { path: s.netnsPath } : { pid: s.pid };
}

/** Labels every proxy container carries (names kept from the original, plus the pod uid). */
export const PROXY_LABELS = {
  proxy: 'traffic.envoy.proxy',
  pod: 'traffic.envoy.pod',
  namespace: 'traffic.envoy.namespace',
  podUid: 'traffic.envoy.pod-uid',
  sandbox: 'traffic.envoy.sandbox',
  /** The node whose agent owns the proxy: an agent lists and removes only its own. */
  node: 'traffic.envoy.node',
} as const;

export interface ProxySpec {
  pod: PodRef;
  image: string;
  /** Envoy's command line (the bootstrap is in it). */
  args: string[];
  uid: number;
  gid: number;
  /** Extra container labels (e.g. cost allocation); never overrides PROXY_LABELS. */
  labels?: Record<string, string>;
  memoryBytes?: number;
  nanoCpus?: number;
}

export type ProxyState = 'created' | 'running' | 'restarting' | 'exited' | 'dead' | 'unknown';

export interface ProxyInfo {
  id: string;
  pod: PodRef;
  sandboxId: string;
  state: ProxyState;
  /** Human status, e.g. "Up 3 minutes" or "Exited (1) 2 seconds ago". */
  status: string;
  image: string;
  created: Date;
}

export interface LogOptions {
  follow: boolean;
  tail?: number;
}

export interface ProxyRuntime {
  readonly kind: 'docker' | 'containerd';
  /** Answers when the runtime is reachable; throws a TrafficError TM_RUNTIME otherwise. */
  ping(): Promise<void>;
  /** The pod's running sandbox, or undefined (not started yet, or gone). */
  findSandbox(pod: PodRef): Promise<Sandbox | undefined>;
  /** Every proxy container this agent manages on the node, or those of one pod. */
  listProxies(podUid?: string): Promise<ProxyInfo[]>;
  /** Pulls the image when absent, creates and starts the proxy in the sandbox's network. */
  createProxy(spec: ProxySpec, sandbox: Sandbox): Promise<ProxyInfo>;
  /** Stops (SIGTERM, then SIGKILL after graceSeconds) and removes; a missing proxy is fine. */
  removeProxy(id: string, graceSeconds: number): Promise<void>;
  /** stdout and stderr of the proxy, demultiplexed into one text stream. */
  logs(id: string, opts: LogOptions): Promise<Readable>;
}
