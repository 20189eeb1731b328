// Typed policy: what the traffic.* labels of a Service or a pod mean, after validation, with
// defaults filled in. Translation reads only these, never raw labels.
import type { LbPolicy, PortProtocol } from '../../lib/labels/index.js';

export type RetryOn = '5xx' | 'connect-failure' | 'gateway-error';

export interface Fault {
  delayMs?: number;
  delayPercent: number;
  abortStatus: number;
  abortPercent: number;
}

export interface Resilience {
  fault: Fault;
  rateLimitKbps?: number;
  tracing: { enabled: boolean; samplingPercent: number };
  /** Retry conditions set, and the largest retry count among them. */
  retry?: { on: readonly RetryOn[]; numRetries: number };
  requestTimeoutMs?: number;
  connectTimeoutMs: number;
  breakers: {
    maxConnections?: number;
    maxPendingRequests?: number;
    maxRequests?: number;
    maxRetries?: number;
  };
}

export interface DarkLaunch {
  version: string;
  header: string;
  value: string;
}

export interface ServicePolicy {
  /** Service port → how callers proxy it; ports without an entry are not proxied. */
  ports: ReadonlyMap<number, PortProtocol>;
  lb: LbPolicy;
  hash: { cookie?: { name: string; ttlSeconds?: number }; header?: string };
  /** Version → weight; empty when the Service has no version split. */
  versions: ReadonlyMap<string, number>;
  darkLaunch: readonly DarkLaunch[];
  resilience: Resilience;
}

export interface PodPolicy {
  enabled: boolean;
  weight: number;
  /** The pod's own ports callers may reach directly (pod IP:port) → how they are proxied. */
  ports: ReadonlyMap<number, PortProtocol>;
  /** Services this pod's proxy may call (`name.namespace`, `*.namespace`); undefined = all. */
  egress?: readonly string[];
}

export interface PolicyIssue {
  kind: 'Service' | 'Pod' | 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet' | 'Ingress';
  namespace: string;
  name: string;
  uid: string;
  /** The label, or for an Ingress the field (`spec.rules[0].http.paths[1]`), at fault. */
  key: string;
  value: string;
  message: string;
  /** The Event reason; InvalidTrafficLabel when unset. */
  reason?: string;
}
