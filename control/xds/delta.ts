// Incremental ADS (DeltaAggregatedResources). Per type the server tracks what the client holds
// (name → version, from initial_resource_versions and from what was sent) and sends only the
// difference: changed or newly subscribed resources, and removed_resources for names that left
// the snapshot or the subscription, or that a client asked for but do not exist. Subscription
// changes are honoured even on a stale nonce, as the protocol requires.
import type { CacheEntry } from './cache.js';
import { ABSENT, diff, type DiffState } from './delta-diff.js';
import { heldAfterFullDiff, internNames } from './delta-shared.js';
import { encodeDeltaResponse, type DeltaDiscoveryRequest } from './messages.js';
import { ackEvent, nackEvent, responseEvent, typeEvent } from './events.js';
import { StreamBase } from './stream-base.js';
import { PUSH_ORDER, TYPE, allowsWildcard, isTypeUrl, type TypeUrl } from './types.js';

interface TypeState extends DiffState {
  nonce: string;
  changedAt: number | undefined;
  started: boolean;
  /** Names to send once responses may be built again (stream-base mayRespond). */
  pending: Set<string> | undefined;
  /** `names` / `held` are shared with other streams (delta-shared.ts): copy before changing. */
  namesShared: boolean;
  heldShared: boolean;
}

function ownNames(st: TypeState): void {
  if (!st.namesShared) return;
  st.names = new Set(st.names);
  st.namesShared = false;
}

/** Records what a response sends and removes (the stream's own copy of held). */
function applyToHeld(
  st: TypeState,
  all: ReadonlyMap<string, unknown>,
  send: readonly { name: string; hash: string }[],
  removed: readonly string[],
): void {
  if (send.length === 0 && removed.length === 0) return;
  ownHeld(st);
  for (const r of send) st.held.set(r.name, r.hash);
  for (const n of removed) {
    if (st.names.has(n) && !all.has(n)) st.held.set(n, ABSENT);
    else st.held.delete(n);
  }
}

function ownHeld(st: TypeState): void {
  if (!st.heldShared) return;
  st.held = new Map(st.held);
  st.heldShared = false;
}

/** The client forgets what it unsubscribes from (unless the wildcard still covers it). */
function removeNames(st: TypeState, unsub: readonly string[]): void {
  if (unsub.length === 0) return;
  ownNames(st);
  ownHeld(st);
  for (const n of unsub) {
    if (n === '*') st.wildcard = false;
    else {
      st.names.delete(n);
      if (!st.wildcard) st.held.delete(n);
    }
  }
}

/** No names forced (a push); never mutated. */
const NONE: ReadonlySet<string> = new Set();

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
    else if (nonce !== '') this.deps.events.staleNonce(typeEvent(this.stream(), url, nonce));
    const forced = this.subscribe(url, st, req);
    if (!st.started || forced.size > 0 || (req.resource_names_unsubscribe ?? []).length > 0) {
      st.started = true;
      if (this.mayRespond()) this.respond(url, st, forced, false);
      else st.pending = new Set([...(st.pending ?? []), ...forced]);
    }
  }

  protected catchUp(): void {
    for (const url of PUSH_ORDER) {
      const st = this.types.get(url);
      if (!st?.pending) continue;
      if (!this.mayRespond()) return;
      const forced = st.pending;
      st.pending = undefined;
      this.respond(url, st, forced, false);
    }
    this.pushIfDirty();
  }

  protected push(_entry: CacheEntry): void {
    const cds = this.types.get(TYPE.cluster);
    for (const url of PUSH_ORDER) {
      const st = this.types.get(url);
      if (st?.started) this.respond(url, st, NONE, url === TYPE.cluster);
    }
    // Make-before-break: clusters leave last, after the routes that stopped using them.
    if (cds?.started) this.respond(TYPE.cluster, cds, NONE, false);
  }

  /** Applies a request's subscription changes; returns the names that must be (re)sent. */
  private subscribe(url: TypeUrl, st: TypeState, req: DeltaDiscoveryRequest): Set<string> {
    const sub = req.resource_names_subscribe ?? [];
    const unsub = req.resource_names_unsubscribe ?? [];
    // What the client wants or holds changes: the next diff looks at every name.
    if (!st.started || sub.length > 0 || unsub.length > 0) st.base = undefined;
    if (!st.started) {
      ownHeld(st);
      for (const [n, v] of Object.entries(req.initial_resource_versions ?? {})) st.held.set(n, v);
      if (sub.length === 0 && allowsWildcard(url)) st.wildcard = true;
    }
    const forced = this.addNames(url, st, sub);
    removeNames(st, unsub);
    if (!st.namesShared) {
      st.names = internNames(st.names);
      st.namesShared = true;
    }
    return forced;
  }

  /** Subscribes to `sub`; returns the names subscribed (which must be sent even if held). */
  private addNames(url: TypeUrl, st: TypeState, sub: readonly string[]): Set<string> {
    const forced = new Set<string>();
    // Kept as the snapshot's own name strings where it has them: 1,000 streams naming the same
    // resources then hold one copy of each name, not 1,000.
    const items = this.entry?.snapshot.items(url);
    if (sub.length > 0) ownNames(st);
    for (const name of sub) {
      const n = items?.get(name)?.name ?? name;
      if (n === '*') st.wildcard = allowsWildcard(url);
      else {
        st.names.add(n);
        forced.add(n);
      }
    }
    return forced;
  }

  private respond(
    url: TypeUrl,
    st: TypeState,
    forced: ReadonlySet<string>,
    keepRemovals: boolean,
  ): void {
    const entry = this.entry;
    if (!entry) return;
    const all = entry.snapshot.items(url);
    // Diffed against these very resources, nothing asked for since: nothing to send (most
    // types of most pushes, now that unchanged types keep their map).
    if (st.base === all && forced.size === 0) return;
    const started = performance.now();
    const { send, removed } = diff(all, st, forced, keepRemovals);
    if (keepRemovals) applyToHeld(st, all, send, removed);
    else {
      // After a full diff the stream holds exactly this (what applying send and removed would
      // leave, see test/xds/delta-diff.test.ts), as every stream alike does.
      st.base = all;
      st.held = heldAfterFullDiff(all, st.names, st.wildcard);
      st.heldShared = true;
    }
    if (send.length === 0 && removed.length === 0) return;
    const nonce = String(++this.nonces);
    const version = entry.snapshot.version(url) ?? 'empty';
    const buf = encodeDeltaResponse(url, version, nonce, send, removed);
    st.nonce = nonce;
    st.changedAt = entry.changedAt;
    this.send(buf);
    this.deps.events.responseSent(
      responseEvent(this.stream(), url, {
        version,
        nonce,
        resources: send.length,
        removed: removed.length,
        bytes: buf.length,
        durationMs: performance.now() - started,
      }),
    );
  }

  private acknowledge(url: TypeUrl, st: TypeState, req: DeltaDiscoveryRequest): void {
    const version = this.entry?.snapshot.version(url) ?? '';
    if (req.error_detail) {
      const error = req.error_detail.message ?? `code ${req.error_detail.code ?? '?'}`;
      this.deps.events.nack(nackEvent(this.stream(), url, version, st.nonce, error));
      return;
    }
    const convergenceMs = st.changedAt === undefined ? undefined : performance.now() - st.changedAt;
    this.deps.events.ack(ackEvent(this.stream(), url, version, st.nonce, convergenceMs));
  }

  private state(url: TypeUrl): TypeState {
    let st = this.types.get(url);
    if (!st) {
      st = {
        wildcard: false,
        names: new Set(),
        held: new Map(),
        base: undefined,
        nonce: '',
        changedAt: undefined,
        started: false,
        pending: undefined,
        namesShared: false,
        heldShared: false,
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
