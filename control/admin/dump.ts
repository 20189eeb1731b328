// The data behind /debug/config_dump and /debug/syncz: one node's resources, readable, with its
// sync state per type; and every known node's sync summary. Private keys of TLS Secrets are
// redacted, as in Envoy's own config dump: the admin API never shows them.
import type { SnapshotCache } from '../xds/cache.js';
import { PUSH_ORDER, TYPE, typeFromKey, typeKey, type TypeUrl } from '../xds/types.js';
import { typeState, type NodeSync, type SyncStatus } from '../xds/status.js';
import { readableResource } from './readable.js';

export interface DumpQuery {
  node: string;
  type?: string;
  resource?: string;
}

export interface ConfigDump {
  node: string;
  connected: boolean;
  types: Record<string, { version: string; state: string; nack?: string; resources: unknown[] }>;
}

export type DumpResult =
  { ok: true; dump: ConfigDump } | { ok: false; status: number; error: string; nodes?: string[] };

function selectTypes(type: string | undefined): TypeUrl[] | undefined {
  if (!type || type === 'all') return [...PUSH_ORDER];
  const url = typeFromKey(type);
  return url ? [url] : undefined;
}

export const REDACTED = '[redacted]';

/** A readable Secret without its private key material. */
function redact(r: Record<string, unknown>): Record<string, unknown> {
  const tls = r.tls_certificate;
  if (typeof tls !== 'object' || tls === null || !('private_key' in tls)) return r;
  return { ...r, tls_certificate: { ...tls, private_key: { inline_string: REDACTED } } };
}

function readable(url: TypeUrl, bytes: Uint8Array): Record<string, unknown> {
  const r = readableResource(url, bytes);
  return url === TYPE.secret ? redact(r) : r;
}

export function configDump(cache: SnapshotCache, status: SyncStatus, q: DumpQuery): DumpResult {
  const entry = cache.get(q.node);
  if (!entry) {
    const nodes = [...new Set([...cache.nodeIds(), ...status.all().map((n) => n.nodeId)])].sort();
    return { ok: false, status: 404, error: `no proxy with node id "${q.node}"`, nodes };
  }
  const urls = selectTypes(q.type);
  if (!urls) {
    return {
      ok: false,
      status: 400,
      error: `unknown type "${q.type}": use listener, route, cluster, endpoint, secret or all`,
    };
  }
  const sync = status.get(q.node);
  const types: ConfigDump['types'] = {};
  for (const url of urls) {
    const key = typeKey(url);
    const items = [...entry.snapshot.items(url).values()].filter(
      (r) => !q.resource || r.name === q.resource,
    );
    const ts = sync?.types[key];
    types[key] = {
      version: entry.snapshot.version(url) ?? '',
      state: typeState(ts),
      ...(ts?.nack ? { nack: ts.nack.error } : {}),
      resources: items.map((r) => readable(r.typeUrl, r.bytes)),
    };
  }
  return { ok: true, dump: { node: q.node, connected: sync?.connected ?? false, types } };
}

export interface SyncRow extends NodeSync {
  state: Record<string, string>;
  hasSnapshot: boolean;
}

export function syncz(cache: SnapshotCache, status: SyncStatus): SyncRow[] {
  const ids = new Set([...cache.nodeIds(), ...status.all().map((n) => n.nodeId)]);
  return [...ids].sort().map((id) => {
    const n = status.get(id) ?? { nodeId: id, connected: false, types: {} };
    const state = Object.fromEntries(Object.entries(n.types).map(([k, v]) => [k, typeState(v)]));
    return { ...n, state, hasSnapshot: cache.get(id) !== undefined };
  });
}
