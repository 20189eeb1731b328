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

const NO_PORTS: ReadonlyMap<number, PortProtocol> = new Map();
const NO_ISSUES: PolicyIssue[] = [];
Object.freeze(NO_ISSUES);
/** Policies without ports or egress, one frozen object per (enabled, weight): most pods'. */
const plain = new Map<string, PodPolicy>();

function plainPolicy(enabled: boolean, weight: number): PodPolicy {
  const key = `${enabled}|${weight}`;
  let hit = plain.get(key);
  if (!hit) plain.set(key, (hit = Object.freeze({ enabled, weight, ports: NO_PORTS })));
  return hit;
}

export function podPolicy(pod: PodModel): PolicyResult<PodPolicy> {
  const own = parseTrafficLabels('Pod', pod.labels, pod.annotations);
  const kind = workloadKind(pod);
  const inherited = kind
    ? parseTrafficLabels(kind, pod.workloadLabels, pod.workloadAnnotations)
    : undefined;
  const egress = pick<string[]>(own, inherited, EGRESS_SERVICES);
  const enabled = pick<boolean>(own, inherited, ENVOY_ENABLED) ?? false;
  const weight = pick<number>(own, inherited, ENDPOINT_WEIGHT) ?? 100;
  const portMap = ports(own, inherited);
  // 10,000 pods mostly have the same few policies: share those instead of one object each.
  const policy: PodPolicy =
    portMap.size === 0 && !egress
      ? plainPolicy(enabled, weight)
      : { enabled, weight, ports: portMap, ...(egress ? { egress } : {}) };
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
  return { policy, issues: issues.length === 0 ? NO_ISSUES : issues };
}
