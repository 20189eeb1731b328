// Everything the agent is told on its command line, in one typed value with the defaults.

export interface AgentConfig {
  nodeName: string;
  proxyImage: string;
  /** traffic-control's Service, fully qualified, and its ADS port. */
  xdsAddress: string;
  xdsPort: number;
  /** ADS flavour the proxies ask for: state-of-the-world (GRPC) or incremental (DELTA_GRPC). */
  xdsApi: 'sotw' | 'delta';
  proxyUid: number;
  proxyGid: number;
  capturePort: number;
  adminPort: number;
  /** Envoy's Prometheus listener (only /stats/prometheus), on all addresses of the pod. */
  statsPort: number;
  resyncMs: number;
  /** How long a new proxy may take to answer /ready LIVE with its first listener. */
  readyTimeoutMs: number;
  /** Longest wait for open connections to finish before a proxy is stopped. */
  drainSeconds: number;
  /** The agent's own pod, never proxied. */
  self?: { name: string; namespace: string };
  /** Extra labels on proxy containers. */
  proxyLabels: Record<string, string>;
  /** Parallel pod passes (each pod is still serialised on its own). */
  concurrency: number;
  zipkin?: { address: string; port: number };
}

/** The pinned Envoy release the agent runs unless told otherwise. */
export const DEFAULT_PROXY_IMAGE = 'envoyproxy/envoy:v1.32.3';

export const DEFAULT_CONFIG: Omit<AgentConfig, 'nodeName'> = {
  proxyImage: DEFAULT_PROXY_IMAGE,
  xdsAddress: 'traffic-control.traffic-system.svc.cluster.local',
  xdsPort: 18000,
  xdsApi: 'sotw',
  proxyUid: 1337,
  proxyGid: 1337,
  capturePort: 10000,
  adminPort: 8900,
  statsPort: 15090,
  resyncMs: 30_000,
  readyTimeoutMs: 60_000,
  drainSeconds: 10,
  proxyLabels: {},
  concurrency: 8,
};

/** Pods carrying this label are traffic-manager's own (control, agent, gateway): never proxied. */
export const COMPONENT_LABEL = { key: 'app.kubernetes.io/part-of', value: 'traffic-manager' };

/** The pod annotation naming the proxy container ("" when none). */
export const PROXY_ANNOTATION = 'traffic.envoy.proxy';
