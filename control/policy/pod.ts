// A pod's effective traffic.* labels (its workload's, overridden by its own) → PodPolicy.
// Issues are reported on the object that carries the bad value: the pod or its workload.
import {
  EGRESS_SERVICES,
  ENDPOINT_WEIGHT,
  ENVOY_ENABLED,
  PORT_PROTOCOL,
  type PortProtocol,
  parseTrafficLabels,
  valueOf,
  type ParsedLabels,
} from '../../lib/labels/index.js';
import type { PodModel } from '../model/types.js';
import type { PolicyResult } from './service.js';
import type { PodPolicy, PolicyIssue } from './types.js';

type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

function workloadKind(pod: PodModel): WorkloadKind | undefined {
  const k = pod.workload?.kind;
  return k === 'Deployment' || k === 'StatefulSet' || k === 'DaemonSet' ? k : undefined;
}

function pick<T>(
  own: ParsedLabels,
  inherited: ParsedLabels | undefined,
  decl: Parameters<typeof valueOf<T>>[1],
): T | undefined {
  const mine = own.labels.find((l) => l.decl === decl);
  if (mine) return mine.value as T;
  return inherited ? valueOf(inherited, decl) : decl.default;
}

/** Pod ports from the workload's labels, overridden port by port by the pod's own. */
function ports(own: ParsedLabels, inherited: ParsedLabels | undefined): Map<number, PortProtocol> {
  const out = new Map<number, PortProtocol>();
  for (const parsed of [inherited, own]) {
    for (const l of parsed?.labels ?? [])
      if (l.decl === PORT_PROTOCOL) out.set(Number(l.params.port), l.value as PortProtocol);
  }
  return new Map([...out.entries()].sort(([a], [b]) => a - b));
}

export function podPolicy(pod: PodModel): PolicyResult<PodPolicy> {
  const own = parseTrafficLabels('Pod', pod.labels, pod.annotations);
  const kind = workloadKind(pod);
  const inherited = kind
    ? parseTrafficLabels(kind, pod.workloadLabels, pod.workloadAnnotations)
    : undefined;
  const egress = pick<string[]>(own, inherited, EGRESS_SERVICES);
  const policy: PodPolicy = {
    enabled: pick<boolean>(own, inherited, ENVOY_ENABLED) ?? false,
    weight: pick<number>(own, inherited, ENDPOINT_WEIGHT) ?? 100,
    ports: ports(own, inherited),
    ...(egress ? { egress } : {}),
  };
  const issues: PolicyIssue[] = own.issues.map((i) => ({
    kind: 'Pod',
    namespace: pod.namespace,
    name: pod.name,
    uid: pod.uid,
    ...i,
  }));
  if (inherited && kind && pod.workload) {
    const ref = { kind, namespace: pod.namespace, name: pod.workload.name, uid: pod.workload.uid };
    for (const i of inherited.issues) issues.push({ ...ref, ...i });
  }
  return { policy, issues };
}
