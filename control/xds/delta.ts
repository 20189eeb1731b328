// Incremental ADS (DeltaAggregatedResources). Per type the server tracks what the client holds
// (name → version, from initial_resource_versions and from what was sent) and sends only the
// difference: changed or newly subscribed resources, and removed_resources for names that left
// the snapshot or the subscription, or that a client asked for but do not exist. Subscription
// changes are honoured even on a stale nonce, as the protocol requires.
import type { CacheEntry } from './cache.js';
import type { EncodedResource } from './encode.js';
import { encodeDeltaResponse, type DeltaDiscoveryRequest } from './messages.js';
import { StreamBase } from './stream-base.js';
import { PUSH_ORDER, TYPE, allowsWildcard, isTypeUrl, type TypeUrl } from './types.js';

/** Sentinel in `held`: the client was told this name does not exist. */
const ABSENT = '';

interface TypeState {
  wildcard: boolean;
  names: Set<string>;
  held: Map<string, string>;
  nonce: string;
  changedAt: number | undefined;
  started: boolean;
}

interface Diff {
  send: EncodedResource[];
  removed: string[];
}

/** Resources to (re)send and names to announce as missing, for the names a client wants. */
function changes(
  all: ReadonlyMap<string, EncodedResource>,
  st: TypeState,
  forced: Set<string>,
): Diff {
  const send: EncodedResource[] = [];
  const removed: string[] = [];
  const wanted = new Set(st.names);
  if (st.wildcard) for (const [n, r] of all) if (!r.namedOnly) wanted.add(n);
  for (const n of [...wanted].sort()) {
    const r = all.get(n);
    const told = st.held.get(n);
    if (r && (forced.has(n) || told !== r.hash)) send.push(r);
    else if (!r && st.names.has(n) && (forced.has(n) || told !== ABSENT)) removed.push(n);
  }
  return { send, removed };
}

/** Names the client holds that left the snapshot or its subscription. */
function departures(all: ReadonlyMap<string, EncodedResource>, st: TypeState): string[] {
  const inScope = (n: string): boolean =>
    st.names.has(n) || (st.wildcard && all.get(n)?.namedOnly === false);
  return [...st.held.keys()]
    .filter((n) => !inScope(n) || (!all.has(n) && st.held.get(n) !== ABSENT))
    .sort();
}

function diff(
  all: ReadonlyMap<string, EncodedResource>,
  st: TypeState,
  forced: Set<string>,
  keepRemovals: boolean,
): Diff {
  const d = changes(all, st, forced);
  if (keepRemovals) return d;
  const removed = new Set(d.removed);
  for (const n of departures(all, st)) removed.add(n);
  return { send: d.send, removed: [...removed] };
}

export class DeltaStream extends StreamBase<DeltaDiscoveryRequest> {
  private readonly types = new Map<TypeUrl, TypeState>();
  private nonces = 0;

  protected handle(req: DeltaDiscoveryRequest): void {
    if (!this.identify(req.node)) return;
    const url = req.type_url ?? '';
    if (!isTypeUrl(url)) return;
    const st = this.state(url);
    const nonce = req.response_nonce ?? '';
    if (nonce !== '' && nonce === st.nonce) this.acknowledge(url, st, req);
    else if (nonce !== '') this.deps.events.staleNonce({ ...this.stream(), typeUrl: url, nonce });
    const forced = this.subscribe(url, st, req);
    if (!st.started || forced.size > 0 || (req.resource_names_unsubscribe ?? []).length > 0) {
      st.started = true;
      this.respond(url, st, forced, false);
    }
  }

  protected push(_entry: CacheEntry): void {
    const cds = this.types.get(TYPE.cluster);
    for (const url of PUSH_ORDER) {
      const st = this.types.get(url);
      if (st?.started) this.respond(url, st, new Set(), url === TYPE.cluster);
    }
    // Make-before-break: clusters leave last, after the routes that stopped using them.
    if (cds?.started) this.respond(TYPE.cluster, cds, new Set(), false);
  }

  /** Applies a request's subscription changes; returns the names that must be (re)sent. */
  private subscribe(url: TypeUrl, st: TypeState, req: DeltaDiscoveryRequest): Set<string> {
    const sub = req.resource_names_subscribe ?? [];
    if (!st.started) {
      for (const [n, v] of Object.entries(req.initial_resource_versions ?? {})) st.held.set(n, v);
      if (sub.length === 0 && allowsWildcard(url)) st.wildcard = true;
    }
    const forced = new Set<string>();
    for (const n of sub) {
      if (n === '*') st.wildcard = allowsWildcard(url);
      else {
        st.names.add(n);
        forced.add(n);
      }
    }
    for (const n of req.resource_names_unsubscribe ?? []) {
      if (n === '*') st.wildcard = false;
      else {
        // The client forgets what it unsubscribes from (unless the wildcard still covers it).
        st.names.delete(n);
        if (!st.wildcard) st.held.delete(n);
      }
    }
    return forced;
  }

  private respond(url: TypeUrl, st: TypeState, forced: Set<string>, keepRemovals: boolean): void {
    const entry = this.entry;
    if (!entry) return;
    const started = performance.now();
    const all = entry.snapshot.items(url);
    const { send, removed } = diff(all, st, forced, keepRemovals);
    if (send.length === 0 && removed.length === 0) return;
    for (const r of send) st.held.set(r.name, r.hash);
    for (const n of removed) {
      if (st.names.has(n) && !all.has(n)) st.held.set(n, ABSENT);
      else st.held.delete(n);
    }
    const nonce = String(++this.nonces);
    const version = entry.snapshot.version(url) ?? 'empty';
    const buf = encodeDeltaResponse(url, version, nonce, send, removed);
    st.nonce = nonce;
    st.changedAt = entry.changedAt;
    this.send(buf);
    const info = { ...this.stream(), typeUrl: url, version, nonce };
    this.deps.events.responseSent({
      ...info,
      resources: send.length,
      removed: removed.length,
      bytes: buf.length,
      durationMs: performance.now() - started,
    });
  }

  private acknowledge(url: TypeUrl, st: TypeState, req: DeltaDiscoveryRequest): void {
    const version = this.entry?.snapshot.version(url) ?? '';
    const base = { ...this.stream(), typeUrl: url, nonce: st.nonce, version };
    if (req.error_detail) {
      const error = req.error_detail.message ?? `code ${req.error_detail.code ?? '?'}`;
      this.deps.events.nack({ ...base, error });
      return;
    }
    const convergenceMs = st.changedAt === undefined ? undefined : performance.now() - st.changedAt;
    this.deps.events.ack({ ...base, convergenceMs });
  }

  private state(url: TypeUrl): TypeState {
    let st = this.types.get(url);
    if (!st) {
      st = {
        wildcard: false,
        names: new Set(),
        held: new Map(),
        nonce: '',
        changedAt: undefined,
        started: false,
      };
      this.types.set(url, st);
    }
    return st;
  }

  private stream(): NonNullable<typeof this.info> {
    if (!this.info) throw new Error('stream not identified');
    return this.info;
  }
}
