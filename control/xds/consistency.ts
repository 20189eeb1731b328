// go-control-plane's Snapshot.Consistent, for our snapshots: every EDS name a cluster uses has
// its ClusterLoadAssignment, every RDS name a listener uses has its RouteConfiguration, every SDS
// name a listener uses has its Secret, and no assignment, route table or Secret is orphaned (a
// Secret nobody references is never served). A snapshot that fails is refused, never served.
import { fail, ok, type Validation } from '../../lib/validation.js';
import type { Snapshot } from './snapshot.js';
import { TYPE } from './types.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The EDS service name of an EDS cluster, or undefined for other cluster types. */
export function edsName(cluster: Record<string, unknown>): string | undefined {
  if (cluster.type !== 'EDS') return undefined;
  const eds = cluster.eds_cluster_config;
  const service = isRecord(eds) ? eds.service_name : undefined;
  return typeof service === 'string' && service !== '' ? service : String(cluster.name);
}

/** Every `rds.route_config_name` anywhere inside a listener (filter chains, api_listener). */
export function rdsNames(node: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(node)) {
    for (const v of node) rdsNames(v, out);
  } else if (isRecord(node)) {
    const rds = node.rds;
    if (isRecord(rds) && typeof rds.route_config_name === 'string') out.add(rds.route_config_name);
    for (const v of Object.values(node)) if (typeof v === 'object') rdsNames(v, out);
  }
  return out;
}

/** Every SDS secret name (`{name, sds_config}`) anywhere inside a listener's TLS contexts. */
export function sdsNames(node: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(node)) {
    for (const v of node) sdsNames(v, out);
  } else if (isRecord(node)) {
    if (isRecord(node.sds_config) && typeof node.name === 'string') out.add(node.name);
    for (const v of Object.values(node)) if (typeof v === 'object') sdsNames(v, out);
  }
  return out;
}

function compare(kind: string, wanted: Set<string>, have: ReadonlyMap<string, unknown>): string[] {
  const errors: string[] = [];
  for (const n of wanted) if (!have.has(n)) errors.push(`${kind} ${n} is referenced but missing`);
  for (const n of have.keys()) if (!wanted.has(n)) errors.push(`${kind} ${n} is not referenced`);
  return errors;
}

/**
 * The RDS and SDS names one listener references, per source object: a snapshot rebuilt after a
 * change shares most listener objects with the last one (the outbound listener has a filter
 * chain per Service), so each is walked once, not once per snapshot.
 */
const listenerRefs = new WeakMap<object, { rds: Set<string>; sds: Set<string> }>();

function refsOf(source: object): { rds: Set<string>; sds: Set<string> } {
  let hit = listenerRefs.get(source);
  if (!hit) listenerRefs.set(source, (hit = { rds: rdsNames(source), sds: sdsNames(source) }));
  return hit;
}

export function checkConsistent(s: Snapshot): Validation<true> {
  const eds = new Set<string>();
  for (const r of s.items(TYPE.cluster).values()) {
    const n = edsName(r.source as Record<string, unknown>);
    if (n !== undefined) eds.add(n);
  }
  const rds = new Set<string>();
  const sds = new Set<string>();
  for (const r of s.items(TYPE.listener).values()) {
    const refs = refsOf(r.source);
    for (const n of refs.rds) rds.add(n);
    for (const n of refs.sds) sds.add(n);
  }
  const errors = [
    ...compare('ClusterLoadAssignment', eds, s.items(TYPE.endpoint)),
    ...compare('RouteConfiguration', rds, s.items(TYPE.route)),
    ...compare('Secret', sds, s.items(TYPE.secret)),
  ];
  return errors.length === 0 ? ok(true) : fail(...errors);
}
