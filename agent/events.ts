// Kubernetes Events on the pod, where users look (`kubectl describe pod`): ProxyStarted,
// CaptureInstalled, ProxyFailed with the reason, ProxyRemoved, InvalidProxyAnnotation. Warnings
// are recorded once per pod and message until the pod recovers, so a pod that keeps failing does
// not flood the namespace. A failed Event write is logged, never fatal.
import type * as k8s from '@kubernetes/client-node';
import type { Logger } from '../lib/log.js';

export type Reason =
  | 'ProxyStarted'
  | 'CaptureInstalled'
  | 'CaptureRepaired'
  | 'ProxyFailed'
  | 'ProxyRemoved'
  | 'InvalidProxyAnnotation';

export interface EventSink {
  createNamespacedEvent(p: { namespace: string; body: k8s.CoreV1Event }): Promise<unknown>;
}

export interface PodIdentity {
  name: string;
  namespace: string;
  uid: string;
}

export class PodEvents {
  private readonly warned = new Map<string, Set<string>>();

  constructor(
    private readonly sink: EventSink,
    private readonly log: Logger,
    private readonly component = 'traffic-agent',
    private readonly host?: string,
  ) {}

  normal(pod: PodIdentity, reason: Reason, message: string): void {
    this.log.info({ pod: `${pod.namespace}/${pod.name}`, reason }, message);
    this.emit(pod, 'Normal', reason, message);
  }

  /** A warning, recorded once until clear(pod) (the pod recovered or went away). */
  warning(pod: PodIdentity, reason: Reason, message: string): void {
    const seen = this.warned.get(pod.uid) ?? new Set<string>();
    const sig = `${reason}\u0000${message}`;
    if (seen.has(sig)) return;
    this.log.warn({ pod: `${pod.namespace}/${pod.name}`, reason }, message);
    seen.add(sig);
    this.warned.set(pod.uid, seen);
    this.emit(pod, 'Warning', reason, message);
  }

  /** Forgets the pod's warnings of `reason` (all when omitted). */
  clear(uid: string, reason?: Reason): void {
    if (!reason) {
      this.warned.delete(uid);
      return;
    }
    const seen = this.warned.get(uid);
    for (const sig of [...(seen ?? [])]) if (sig.startsWith(`${reason}\u0000`)) seen?.delete(sig);
  }

  private emit(pod: PodIdentity, type: string, reason: Reason, message: string): void {
    const now = new Date();
    const body: k8s.CoreV1Event = {
      metadata: { generateName: `${pod.name}.`, namespace: pod.namespace },
      involvedObject: {
        apiVersion: 'v1',
        kind: 'Pod',
        name: pod.name,
        namespace: pod.namespace,
        uid: pod.uid,
      },
      reason,
      message: message.slice(0, 1024),
      type,
      source: { component: this.component, ...(this.host ? { host: this.host } : {}) },
      reportingComponent: this.component,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    this.sink.createNamespacedEvent({ namespace: pod.namespace, body }).catch((err: unknown) => {
      this.log.error({ err: String(err), pod: pod.name }, 'could not record an Event');
    });
  }
}
