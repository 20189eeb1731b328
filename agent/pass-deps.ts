// What a reconcile pass needs, injected: the runtime, the capture operations, the probes, the
// Kubernetes writes and the agent's bookkeeping. Built once by the agent.
import type { CaptureOptions, Family } from '../iptables/index.js';
import type { Logger } from '../lib/log.js';
import type { PodPatcher } from './annotate.js';
import type { AgentConfig } from './config.js';
import type { PodEvents } from './events.js';
import type { AgentMetrics } from './metrics.js';
import type { ProxyRuntime } from './runtime/types.js';

export type { NetnsTarget as Netns } from './runtime/types.js';
import type { NetnsTarget as Netns } from './runtime/types.js';

export interface CaptureOps {
  apply(t: Netns, o: CaptureOptions, families: Family[]): Promise<void>;
  remove(t: Netns, families: Family[]): Promise<{ removed: boolean }>;
  verify(
    t: Netns,
    o: CaptureOptions,
    families: Family[],
  ): Promise<{ ok: boolean; problems: string[] }>;
}

export interface PassState {
  /** When a pod was first seen wanting a proxy it does not have yet (ms). */
  enabledSince: Map<string, number>;
  disabledSince: Map<string, number>;
}

export interface PassDeps {
  runtime: ProxyRuntime;
  capture: CaptureOps;
  /** Envoy ready (LIVE with at least one listener) inside the netns of `pid`. */
  ready(netns: Netns): Promise<{ ready: boolean; detail: string }>;
  /** Waits (bounded by drainSeconds) for the proxy's open connections to finish. */
  drain(netns: Netns): Promise<void>;
  patcher: PodPatcher;
  events: PodEvents;
  metrics: AgentMetrics;
  log: Logger;
  config: AgentConfig;
  state: PassState;
  now(): number;
  sleep(ms: number): Promise<void>;
}
