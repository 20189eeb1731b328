// Column specs per resource, following the apiserver's printers (pkg/printers/internalversion).
import { asArray, asNumber, asObject, asObjects, asString, getIn, scalarText } from './json.js';
import { labelsOf, type KubeObject } from './kube.js';
import type { ResourceDef } from './registry.js';
import { ageColumn, formatMap, nameColumn, orNone, str, type Column } from './table-base.js';
import { workloadColumns } from './table-workloads.js';

function podStatus(o: KubeObject): string {
  if (getIn(o, ['metadata', 'deletionTimestamp']) !== undefined) return 'Terminating';
  for (const cs of asObjects(getIn(o, ['status', 'containerStatuses']))) {
    const reason =
      asString(getIn(cs, ['state', 'waiting', 'reason'])) ??
      asString(getIn(cs, ['state', 'terminated', 'reason']));
    if (reason) return reason;
  }
  return (
    asString(getIn(o, ['status', 'reason'])) ?? asString(getIn(o, ['status', 'phase'])) ?? 'Unknown'
  );
}

const POD: Column[] = [
  nameColumn,
  {
    name: 'Ready',
    cell: (o) => {
      const ready = asObjects(getIn(o, ['status', 'containerStatuses'])).filter(
        (c) => c.ready === true,
      ).length;
      return `${ready}/${asArray(getIn(o, ['spec', 'containers'])).length}`;
    },
  },
  { name: 'Status', cell: podStatus },
  {
    name: 'Restarts',
    type: 'string',
    cell: (o) =>
      String(
        asObjects(getIn(o, ['status', 'containerStatuses'])).reduce(
          (n, c) => n + (asNumber(c.restartCount) ?? 0),
          0,
        ),
      ),
  },
  ageColumn,
  { name: 'IP', priority: 1, cell: (o) => orNone(str('status', 'podIP')(o)) },
  { name: 'Node', priority: 1, cell: (o) => orNone(str('spec', 'nodeName')(o)) },
  {
    name: 'Nominated Node',
    priority: 1,
    cell: (o) => orNone(str('status', 'nominatedNodeName')(o)),
  },
  { name: 'Readiness Gates', priority: 1, cell: () => '<none>' },
];

function servicePorts(o: KubeObject): string {
  const ports = asObjects(getIn(o, ['spec', 'ports'])).map((p) => {
    const node = asNumber(p.nodePort);
    return `${scalarText(p.port)}${node ? `:${node}` : ''}/${asString(p.protocol) ?? 'TCP'}`;
  });
  return orNone(ports.join(','));
}

function externalIP(o: KubeObject): string {
  const ingress = asObjects(getIn(o, ['status', 'loadBalancer', 'ingress'])).map(
    (i) => asString(i.ip) ?? asString(i.hostname) ?? '',
  );
  const external = asArray(getIn(o, ['spec', 'externalIPs'])).map(String);
  const all = [...ingress, ...external].filter((x) => x !== '');
  if (all.length > 0) return all.join(',');
  return str('spec', 'type')(o) === 'LoadBalancer' ? '<pending>' : '<none>';
}

const SERVICE: Column[] = [
  nameColumn,
  { name: 'Type', cell: str('spec', 'type') },
  { name: 'Cluster-IP', cell: (o) => orNone(str('spec', 'clusterIP')(o)) },
  { name: 'External-IP', cell: externalIP },
  { name: 'Port(s)', cell: servicePorts },
  ageColumn,
  { name: 'Selector', priority: 1, cell: (o) => orNone(formatMap(getIn(o, ['spec', 'selector']))) },
];

function nodeStatus(o: KubeObject): string {
  const ready = asObjects(getIn(o, ['status', 'conditions'])).find((c) => c.type === 'Ready');
  const base = ready?.status === 'True' ? 'Ready' : ready ? 'NotReady' : 'Unknown';
  return getIn(o, ['spec', 'unschedulable']) === true ? `${base},SchedulingDisabled` : base;
}

const NODE: Column[] = [
  nameColumn,
  { name: 'Status', cell: nodeStatus },
  {
    name: 'Roles',
    cell: (o) =>
      orNone(
        Object.keys(labelsOf(o))
          .filter((k) => k.startsWith('node-role.kubernetes.io/'))
          .map((k) => k.slice(24))
          .join(','),
      ),
  },
  ageColumn,
  { name: 'Version', cell: str('status', 'nodeInfo', 'kubeletVersion') },
  {
    name: 'Internal-IP',
    priority: 1,
    cell: (o) =>
      orNone(
        (asObjects(getIn(o, ['status', 'addresses'])).find((a) => a.type === 'InternalIP')
          ?.address as string) ?? '',
      ),
  },
];

const CONFIGMAP: Column[] = [
  nameColumn,
  {
    name: 'Data',
    type: 'integer',
    cell: (o) =>
      Object.keys(asObject(o.data) ?? {}).length + Object.keys(asObject(o.binaryData) ?? {}).length,
  },
  ageColumn,
];

const SECRET: Column[] = [
  nameColumn,
  { name: 'Type', cell: str('type') },
  { name: 'Data', type: 'integer', cell: (o) => Object.keys(asObject(o.data) ?? {}).length },
  ageColumn,
];

const NAMESPACE: Column[] = [
  nameColumn,
  { name: 'Status', cell: str('status', 'phase') },
  ageColumn,
];

const BY_PLURAL: Record<string, Column[]> = {
  pods: POD,
  services: SERVICE,
  nodes: NODE,
  configmaps: CONFIGMAP,
  secrets: SECRET,
  namespaces: NAMESPACE,
  ...workloadColumns,
};

export function columnsFor(res: ResourceDef): Column[] {
  return BY_PLURAL[res.plural] ?? [nameColumn, ageColumn];
}
