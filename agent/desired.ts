// What the agent wants for one pod on its node, decided from the Pod object alone plus the
// traffic.envoy.enabled label of its workload: a proxy with these capture options, or none and
// why. Pure: no I/O, so every branch is a unit test.
import type * as k8s from '@kubernetes/client-node';
import type { CaptureOptions, Family } from '../iptables/index.js';
import { ENVOY_ENABLED } from '../lib/labels/vocabulary.js';
import { captureFor, type AnnotationIssue } from './annotations.js';
import { COMPONENT_LABEL } from './config.js';

export type Desired =
  | { enabled: true; capture: CaptureOptions; families: Family[]; issues: AnnotationIssue[] }
  | { enabled: false; reason: string; issues: AnnotationIssue[] };

export interface DesiredInput {
  pod: k8s.V1Pod;
  /** The traffic.envoy.enabled label of the pod's workload (Deployment, StatefulSet, DaemonSet). */
  workloadEnabled: string | undefined;
  baseCapture: CaptureOptions;
  self?: { name: string; namespace: string };
}

const KEY = ENVOY_ENABLED.name;

function off(reason: string, issues: AnnotationIssue[] = []): Desired {
  return { enabled: false, reason, issues };
}

/** Why this pod can never be proxied, or undefined. */
function exclusion(pod: k8s.V1Pod, self?: DesiredInput['self']): string | undefined {
  const m = pod.metadata ?? {};
  if (pod.spec?.hostNetwork) return 'the pod uses the host network';
  if (self && m.name === self.name && m.namespace === self.namespace) return 'the agent itself';
  if (m.labels?.[COMPONENT_LABEL.key] === COMPONENT_LABEL.value) return 'a traffic-manager pod';
  return undefined;
}

/** Why this pod cannot be proxied right now, or undefined. */
function notReady(pod: k8s.V1Pod): string | undefined {
  if (pod.status?.phase !== 'Running') return `the pod is ${pod.status?.phase ?? 'Pending'}`;
  if (!pod.status?.podIP) return 'the pod has no IP yet';
  const statuses = pod.status.containerStatuses ?? [];
  if (statuses.length > 0 && statuses.every((s) => s.state?.terminated)) {
    return 'all app containers have exited';
  }
  return undefined;
}

/** The effective traffic.envoy.enabled: the pod's own valid label wins, then the workload's. */
export function enabledValue(pod: k8s.V1Pod, workloadEnabled: string | undefined): boolean {
  for (const raw of [pod.metadata?.labels?.[KEY], workloadEnabled]) {
    if (raw === undefined) continue;
    const v = ENVOY_ENABLED.parser.parse(raw);
    return v.valid && v.result === true;
  }
  return false;
}

export function familiesOf(pod: k8s.V1Pod): Family[] {
  const ips = [pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((p) => p.ip)];
  return ips.some((ip) => ip?.includes(':')) ? ['ipv4', 'ipv6'] : ['ipv4'];
}

export function desiredFor(i: DesiredInput): Desired {
  const never = exclusion(i.pod, i.self);
  if (never) return off(never);
  if (!enabledValue(i.pod, i.workloadEnabled)) return off(`${KEY} is not true`);
  const later = notReady(i.pod);
  if (later) return off(later);
  const { capture, issues } = captureFor(i.baseCapture, i.pod.metadata?.annotations);
  return { enabled: true, capture, families: familiesOf(i.pod), issues };
}
