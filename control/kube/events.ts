// Kubernetes Events for invalid traffic labels, where users look (`kubectl describe`): reason
// InvalidTrafficLabel, the message names the label, the value and what is accepted (and the same
// for Ingresses the gateway cannot fully serve, with their own reason, InvalidIngress). Each
// distinct problem is reported once per object (and again only after it was fixed and came
// back), with a log line and a metric; failures to write an Event are logged, never fatal.
import type * as k8s from '@kubernetes/client-node';
import type { Logger } from '../../lib/log.js';
import type { PolicyIssue } from '../policy/types.js';

const API_VERSION: Record<PolicyIssue['kind'], string> = {
  Service: 'v1',
  Pod: 'v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  ReplicaSet: 'apps/v1',
  Ingress: 'networking.k8s.io/v1',
};

export const INVALID_LABEL_REASON = 'InvalidTrafficLabel';

export interface EventSink {
  createNamespacedEvent(p: { namespace: string; body: k8s.CoreV1Event }): Promise<unknown>;
}

export class IssueReporter {
  /** uid → the issue signatures currently reported for that object. */
  private readonly reported = new Map<string, Set<string>>();

  constructor(
    private readonly sink: EventSink,
    private readonly log: Logger,
    private readonly count: (issue: PolicyIssue) => void = () => {},
    private readonly component = 'traffic-control',
  ) {}

  /** Reports the current issues of the objects in `uids`; forgets issues that went away. */
  sync(uids: Iterable<string>, issues: readonly PolicyIssue[]): void {
    const byUid = new Map<string, PolicyIssue[]>();
    for (const i of issues) byUid.set(i.uid, [...(byUid.get(i.uid) ?? []), i]);
    for (const uid of new Set([...uids, ...byUid.keys()])) this.syncOne(uid, byUid.get(uid) ?? []);
  }

  private syncOne(uid: string, issues: PolicyIssue[]): void {
    const before = this.reported.get(uid) ?? new Set<string>();
    const now = new Set<string>();
    for (const i of issues) {
      const sig = `${i.key}\u0000${i.value}\u0000${i.message}`;
      now.add(sig);
      if (!before.has(sig)) this.emit(i);
    }
    if (now.size === 0) this.reported.delete(uid);
    else this.reported.set(uid, now);
  }

  forget(uid: string): void {
    this.reported.delete(uid);
  }

  private emit(i: PolicyIssue): void {
    this.count(i);
    this.log.warn(
      { kind: i.kind, namespace: i.namespace, name: i.name, label: i.key, value: i.value },
      i.message,
    );
    const now = new Date();
    const body: k8s.CoreV1Event = {
      metadata: { generateName: `${i.name}.`, namespace: i.namespace },
      involvedObject: {
        apiVersion: API_VERSION[i.kind],
        kind: i.kind,
        name: i.name,
        namespace: i.namespace,
        uid: i.uid,
      },
      reason: i.reason ?? INVALID_LABEL_REASON,
      message: i.message.slice(0, 1024),
      type: 'Warning',
      source: { component: this.component },
      reportingComponent: this.component,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    this.sink.createNamespacedEvent({ namespace: i.namespace, body }).catch((err: unknown) => {
      this.log.error({ err: String(err), name: i.name }, 'could not record an Event');
    });
  }
}
