// Cross-resource checks on everything one proxy is given (a SnapshotInput): what PGV cannot
// see because it looks at one message at a time. Listeners name existing route tables, routes
// and tcp_proxy name existing clusters, weighted clusters carry weight, EDS clusters have a
// ClusterLoadAssignment, filter chain matches are unique, and resource names are consistent.
import type { SnapshotInput } from '../../control/xds/snapshot.js';
import { TYPE, typeKey, type TypeUrl } from '../../control/xds/types.js';
import { checkListener, checkRouteConfig, problem, type RefCtx } from './refs-walk.js';
import { isRecord, type Dict } from './values.js';

interface Entry {
  name: unknown;
  resource: Dict;
}

/** The field holding a resource's own name, per type. */
const NAME_FIELD: Record<TypeUrl, string> = {
  [TYPE.cluster]: 'name',
  [TYPE.endpoint]: 'cluster_name',
  [TYPE.listener]: 'name',
  [TYPE.route]: 'name',
  [TYPE.secret]: 'name',
};

function asDict(v: unknown): Dict {
  return isRecord(v) ? v : {};
}

function entries(input: SnapshotInput, url: TypeUrl): Entry[] {
  const list: unknown = asDict(input)[url];
  if (!Array.isArray(list)) return [];
  return list.map((e: unknown) => ({ name: asDict(e).name, resource: asDict(asDict(e).resource) }));
}

function label(url: TypeUrl, name: unknown): string {
  return `${typeKey(url)} ${typeof name === 'string' ? JSON.stringify(name) : String(name)}`;
}

/** Names per type; reports duplicates and entries whose resource names itself differently. */
function namesOf(input: SnapshotInput, url: TypeUrl, out: string[]): Set<string> {
  const names = new Set<string>();
  for (const { name, resource } of entries(input, url)) {
    const here = label(url, name);
    if (typeof name !== 'string') {
      out.push(`${here}: (root): entry has no name`);
      continue;
    }
    if (names.has(name)) out.push(`${here}: (root): duplicate resource name`);
    names.add(name);
    const field = NAME_FIELD[url];
    const own = resource[field];
    if (own !== name) out.push(`${here}: ${field}: resource calls itself ${String(own)}`);
  }
  return names;
}

function edsServiceName(cluster: Dict): string | null {
  const eds = cluster.type === 'EDS' || cluster.type === 3;
  if (!eds) return null;
  const svc = asDict(cluster.eds_cluster_config).service_name;
  if (typeof svc === 'string' && svc !== '') return svc;
  return typeof cluster.name === 'string' ? cluster.name : '';
}

function checkEds(c: RefCtx, cluster: Dict, endpoints: ReadonlySet<string>): void {
  const svc = edsServiceName(cluster);
  if (svc === null || endpoints.has(svc)) return;
  problem(
    c,
    'eds_cluster_config',
    `EDS cluster has no ClusterLoadAssignment ${JSON.stringify(svc)}`,
  );
}

/**
 * Cross-reference checks over one proxy's resources, in the shape of SnapshotInput. Returns
 * one line per problem, "type \"name\": path: what"; an empty list means consistent.
 */
export function checkReferences(input: SnapshotInput): string[] {
  const out: string[] = [];
  try {
    walk(input, out);
  } catch (e) {
    out.push(`(input): reference check failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  return out;
}

function walk(input: SnapshotInput, out: string[]): void {
  const clusters = namesOf(input, TYPE.cluster, out);
  const endpoints = namesOf(input, TYPE.endpoint, out);
  const routes = namesOf(input, TYPE.route, out);
  namesOf(input, TYPE.listener, out);
  namesOf(input, TYPE.secret, out);
  const ctx = (url: TypeUrl, name: unknown): RefCtx => ({
    label: label(url, name),
    out,
    clusters,
    routes,
  });
  for (const { name, resource } of entries(input, TYPE.listener)) {
    checkListener(ctx(TYPE.listener, name), resource);
  }
  for (const { name, resource } of entries(input, TYPE.route)) {
    checkRouteConfig(ctx(TYPE.route, name), resource, '');
  }
  for (const { name, resource } of entries(input, TYPE.cluster)) {
    checkEds(ctx(TYPE.cluster, name), resource, endpoints);
  }
}
