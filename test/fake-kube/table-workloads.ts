// Table columns for apps/v1 workloads, EndpointSlices, Endpoints, Events and Ingresses.
import { asArray, asNumber, asObject, asObjects, asString, getIn, scalarText } from './json.js';
import type { KubeObject } from './kube.js';
import {
  ageColumn,
  formatMap,
  humanDuration,
  nameColumn,
  num,
  orNone,
  str,
  type Column,
} from './table-base.js';

function templateContainers(o: KubeObject): KubeObject[] {
  return asObjects(getIn(o, ['spec', 'template', 'spec', 'containers']));
}

function selectorText(o: KubeObject): string {
  const sel = asObject(getIn(o, ['spec', 'selector'])) ?? {};
  const parts = [formatMap(sel.matchLabels)];
  for (const e of asObjects(sel.matchExpressions)) {
    parts.push(
      `${scalarText(e.key)} ${scalarText(e.operator).toLowerCase()} (${asArray(e.values).map(scalarText).join(',')})`,
    );
  }
  return orNone(parts.filter((p) => p !== '').join(','));
}

const templateInfo: Column[] = [
  {
    name: 'Containers',
    priority: 1,
    cell: (o) =>
      templateContainers(o)
        .map((c) => asString(c.name) ?? '')
        .join(','),
  },
  {
    name: 'Images',
    priority: 1,
    cell: (o) =>
      templateContainers(o)
        .map((c) => asString(c.image) ?? '')
        .join(','),
  },
  { name: 'Selector', priority: 1, cell: selectorText },
];

const desired = (o: KubeObject): number => asNumber(getIn(o, ['spec', 'replicas'])) ?? 1;

const DEPLOYMENT: Column[] = [
  nameColumn,
  { name: 'Ready', cell: (o) => `${num('status', 'readyReplicas')(o)}/${desired(o)}` },
  { name: 'Up-to-date', type: 'integer', cell: num('status', 'updatedReplicas') },
  { name: 'Available', type: 'integer', cell: num('status', 'availableReplicas') },
  ageColumn,
  ...templateInfo,
];

const REPLICASET: Column[] = [
  nameColumn,
  { name: 'Desired', type: 'integer', cell: desired },
  { name: 'Current', type: 'integer', cell: num('status', 'replicas') },
  { name: 'Ready', type: 'integer', cell: num('status', 'readyReplicas') },
  ageColumn,
  ...templateInfo,
];

const STATEFULSET: Column[] = [
  nameColumn,
  { name: 'Ready', cell: (o) => `${num('status', 'readyReplicas')(o)}/${desired(o)}` },
  ageColumn,
  ...templateInfo.slice(0, 2),
];

const DAEMONSET: Column[] = [
  nameColumn,
  { name: 'Desired', type: 'integer', cell: num('status', 'desiredNumberScheduled') },
  { name: 'Current', type: 'integer', cell: num('status', 'currentNumberScheduled') },
  { name: 'Ready', type: 'integer', cell: num('status', 'numberReady') },
  { name: 'Up-to-date', type: 'integer', cell: num('status', 'updatedNumberScheduled') },
  { name: 'Available', type: 'integer', cell: num('status', 'numberAvailable') },
  {
    name: 'Node Selector',
    cell: (o) => orNone(formatMap(getIn(o, ['spec', 'template', 'spec', 'nodeSelector']))),
  },
  ageColumn,
  ...templateInfo,
];

function listOrUnset(items: string[], max = 3): string {
  if (items.length === 0) return '<unset>';
  const shown = items.slice(0, max).join(',');
  return items.length > max ? `${shown} + ${items.length - max} more...` : shown;
}

const ENDPOINTSLICE: Column[] = [
  nameColumn,
  { name: 'AddressType', cell: str('addressType') },
  {
    name: 'Ports',
    cell: (o) =>
      listOrUnset(
        asObjects(o.ports).map((p) => scalarText(p.port)),
        100,
      ),
  },
  {
    name: 'Endpoints',
    cell: (o) =>
      listOrUnset(asObjects(o.endpoints).flatMap((e) => asArray(e.addresses).map(scalarText))),
  },
  ageColumn,
];

const ENDPOINTS: Column[] = [
  nameColumn,
  {
    name: 'Endpoints',
    cell: (o) => {
      const pairs = asObjects(o.subsets).flatMap((s) =>
        asObjects(s.addresses).flatMap((a) =>
          asObjects(s.ports).map((p) => `${scalarText(a.ip)}:${scalarText(p.port)}`),
        ),
      );
      return pairs.length === 0 ? '<none>' : listOrUnset(pairs);
    },
  },
  ageColumn,
];

function lastSeen(o: KubeObject, now: Date): string {
  const t =
    asString(o.lastTimestamp) ??
    asString(o.eventTime) ??
    asString(getIn(o, ['metadata', 'creationTimestamp']));
  return t ? humanDuration(now.getTime() - Date.parse(t)) : '<unknown>';
}

const EVENT: Column[] = [
  { name: 'Last Seen', cell: lastSeen },
  { name: 'Type', cell: str('type') },
  { name: 'Reason', cell: str('reason') },
  {
    name: 'Object',
    cell: (o) =>
      `${str('involvedObject', 'kind')(o).toLowerCase()}/${str('involvedObject', 'name')(o)}`,
  },
  { name: 'Message', cell: str('message') },
  { ...nameColumn, priority: 1 },
];

const INGRESS: Column[] = [
  nameColumn,
  { name: 'Class', cell: (o) => orNone(str('spec', 'ingressClassName')(o)) },
  {
    name: 'Hosts',
    cell: (o) =>
      asObjects(getIn(o, ['spec', 'rules']))
        .map((r) => asString(r.host) ?? '*')
        .join(',') || '*',
  },
  {
    name: 'Address',
    cell: (o) =>
      asObjects(getIn(o, ['status', 'loadBalancer', 'ingress']))
        .map((i) => asString(i.ip) ?? asString(i.hostname) ?? '')
        .join(','),
  },
  {
    name: 'Ports',
    cell: (o) => (asArray(getIn(o, ['spec', 'tls'])).length > 0 ? '80, 443' : '80'),
  },
  ageColumn,
];

export const workloadColumns: Record<string, Column[]> = {
  deployments: DEPLOYMENT,
  replicasets: REPLICASET,
  statefulsets: STATEFULSET,
  daemonsets: DAEMONSET,
  endpointslices: ENDPOINTSLICE,
  endpoints: ENDPOINTS,
  events: EVENT,
  ingresses: INGRESS,
};
