// State-of-the-world ADS (StreamAggregatedResources). Per type: the subscription (names or
// wildcard), the last nonce and version sent, and the resources the client holds. Requests are
// classified as initial, ACK, NACK or stale (ignored); a response goes out on an initial request,
// on a subscription change, or when the node's snapshot changes what the client should hold.
import type { CacheEntry } from './cache.js';
import type { EncodedResource } from './encode.js';
import { encodeSotwResponse, type DiscoveryRequest } from './messages.js';
import {
  changesSince,
  internSubscription,
  select,
  selectionOf,
  subscriptionOf,
  type Payload,
  type Selection,
} from './selection.js';
import { ackEvent, nackEvent, responseEvent, typeEvent } from './events.js';
import { StreamBase } from './stream-base.js';
import { subscriptionFrom, type Subscription } from './subscription.js';
import { PUSH_ORDER, TYPE, isTypeUrl, requiresFullState, type TypeUrl } from './types.js';

interface TypeState {
  sub: Subscription;
  everNamed: boolean;
  nonce: string;
  version: string | undefined;
  /** What the client holds after the last response (for make-before-break removals). */
  held: ReadonlyMap<string, EncodedResource>;
  /** changedAt of the entry each outstanding nonce was built from. */
  changedAt: Map<string, number>;
  /** A request to answer once responses may be built again (stream-base mayRespond). */
  pending: boolean;
  pendingForce: boolean;
}

export class SotwStream extends StreamBase<DiscoveryRequest> {
  private readonly types = new Map<TypeUrl, TypeState>();
  private nonces = 0;

  protected handle(req: DiscoveryRequest): void {
    if (!this.identify(req.node)) return;
    const url = req.type_url ?? '';
    if (!isTypeUrl(url)) {
      this.deps.log.debug(
        { nodeId: this.info?.nodeId, typeUrl: url },
        'request for an unserved type',
      );
      return;
    }
    const st = this.state(url);
    const nonce = req.response_nonce ?? '';
    if (nonce !== '' && nonce !== st.nonce) {
      this.deps.events.staleNonce(typeEvent(this.streamInfo(), url, nonce));
      return;
    }
    if (nonce !== '') this.acknowledge(url, st, req);
    const names = req.resource_names ?? [];
    // Interned: equal subscriptions are one object, so streams alike share their selections.
    const sub = subscriptionOf(url, names, st.everNamed);
    st.everNamed ||= names.length > 0;
    const changed = sub !== st.sub;
    st.sub = sub;
    if (nonce !== '' && !changed) return;
    if (this.mayRespond()) this.respond(url, st, nonce === '');
    else {
      st.pending = true;
      st.pendingForce ||= nonce === '';
    }
  }

  protected catchUp(): void {
    for (const url of PUSH_ORDER) {
      const st = this.types.get(url);
      if (!st?.pending) continue;
      if (!this.mayRespond()) return;
      const force = st.pendingForce;
      st.pending = false;
      st.pendingForce = false;
      this.respond(url, st, force);
    }
    this.pushIfDirty();
  }

  protected push(entry: CacheEntry): void {
    const cds = this.types.get(TYPE.cluster);
    const defer = cds !== undefined && this.keepStaleClusters(cds, entry);
    for (const url of PUSH_ORDER) {
      const st = this.types.get(url);
      if (st && !(defer && url === TYPE.cluster)) this.respond(url, st, false);
    }
    if (defer && cds) this.respond(TYPE.cluster, cds, false);
  }

  /**
   * Make-before-break: when the new snapshot drops clusters the client holds, the new clusters
   * go out together with the old ones first, so routes still pointing at them keep working
   * until the new routes arrive; the CDS without them goes out last. Returns true when the
   * final CDS must be deferred to the end of the push.
   */
  private keepStaleClusters(st: TypeState, entry: CacheEntry): boolean {
    const next = select(entry.snapshot.items(TYPE.cluster), st.sub).items;
    const stale = [...st.held.values()].filter((r) => !next.has(r.name));
    if (stale.length === 0) return false;
    const union = new Map(next);
    for (const r of stale) union.set(r.name, r);
    const selection = selectionOf(union);
    if (selection.version !== st.version) this.write(TYPE.cluster, st, selection, entry.changedAt);
    return true;
  }

  private acknowledge(url: TypeUrl, st: TypeState, req: DiscoveryRequest): void {
    const info = this.streamInfo();
    if (req.error_detail) {
      const error = req.error_detail.message ?? `code ${req.error_detail.code ?? '?'}`;
      this.deps.events.nack(nackEvent(info, url, st.version ?? '', st.nonce, error));
      // What the client holds is no longer known: the next response carries everything.
      st.held = new Map();
      return;
    }
    const changedAt = st.changedAt.get(st.nonce);
    const convergenceMs = changedAt === undefined ? undefined : performance.now() - changedAt;
    this.deps.events.ack(ackEvent(info, url, req.version_info ?? '', st.nonce, convergenceMs));
  }

  private respond(url: TypeUrl, st: TypeState, force: boolean): void {
    const entry = this.entry;
    if (!entry) return;
    const selection = select(entry.snapshot.items(url), st.sub);
    if (selection.items.size === 0 && !requiresFullState(url) && st.held.size === 0) return;
    if (!force && selection.version === st.version) return;
    // RDS and EDS need not repeat what the client holds (a resource left out is not removed):
    // a weight change sends one RouteConfiguration, not every Service's.
    const payload = force || requiresFullState(url) ? undefined : changesSince(st.held, selection);
    this.write(url, st, selection, entry.changedAt, payload);
  }

  private write(
    url: TypeUrl,
    st: TypeState,
    selection: Selection,
    changedAt: number,
    payload: Payload = { count: selection.items.size, body: () => selection.body() },
  ): void {
    const started = performance.now();
    const nonce = String(++this.nonces);
    const { items, version } = selection;
    const buf = encodeSotwResponse(url, version, nonce, payload.body());
    st.nonce = nonce;
    st.version = version;
    st.held = items;
    st.changedAt.clear();
    st.changedAt.set(nonce, changedAt);
    this.send(buf);
    this.deps.events.responseSent(
      responseEvent(this.streamInfo(), url, {
        version,
        nonce,
        resources: payload.count,
        removed: 0,
        bytes: buf.length,
        durationMs: performance.now() - started,
      }),
    );
  }

  private state(url: TypeUrl): TypeState {
    let st = this.types.get(url);
    if (!st) {
      st = {
        sub: internSubscription(subscriptionFrom(url, [], false)),
        everNamed: false,
        nonce: '',
        version: undefined,
        held: new Map(),
        changedAt: new Map(),
        pending: false,
        pendingForce: false,
      };
      this.types.set(url, st);
    }
    return st;
  }

  private streamInfo(): NonNullable<typeof this.info> {
    if (!this.info) throw new Error('stream not identified');
    return this.info;
  }
}
