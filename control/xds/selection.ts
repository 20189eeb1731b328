// What a SotW stream sends for one type depends only on the snapshot's resources of that type
// and the stream's subscription. Subscriptions are interned (equal content, one object), so the
// selection, its version and its encoded resources are computed once per snapshot and
// subscription and shared by every stream with both: a push to 1,000 proxies of the same scope
// selects, versions and encodes once instead of 1,000 times.
import type { EncodedResource } from './encode.js';
import { encodeSotwResources } from './messages.js';
import { versionOf } from './snapshot.js';
import { selectResources, subscriptionFrom, type Subscription } from './subscription.js';
import { Interner, pairMemo } from './shared.js';
import type { TypeUrl } from './types.js';

export interface Selection {
  /** The resources sent, in name order; shared, never mutated. */
  items: ReadonlyMap<string, EncodedResource>;
  version: string;
  /** The encoded `resources` field of a DiscoveryResponse carrying `items`. */
  body(): Buffer;
}

/** A selection of resources that is not shared (e.g. make-before-break unions). */
export function selectionOf(items: ReadonlyMap<string, EncodedResource>): Selection {
  let body: Buffer | undefined;
  return {
    items,
    version: versionOf(items.values()),
    body: () => (body ??= encodeSotwResources(items.values())),
  };
}

const subscriptions = new Interner<Subscription>();

/** The one shared object for subscriptions with this content. */
export function internSubscription(sub: Subscription): Subscription {
  return subscriptions.intern(
    `${sub.wildcard ? '*' : '-'}${[...sub.names].sort().join('\u0000')}`,
    sub,
  );
}

const byList = new WeakMap<readonly string[], Map<string, Subscription>>();

/**
 * The interned subscription for a request's names. A frozen list (shared by identical requests,
 * see request-names.ts) is looked up by identity, so an ACK repeating 2,000 names costs a lookup.
 */
export function subscriptionOf(
  url: TypeUrl,
  names: readonly string[],
  everNamed: boolean,
): Subscription {
  if (!Object.isFrozen(names)) return internSubscription(subscriptionFrom(url, names, everNamed));
  let byKey = byList.get(names);
  if (!byKey) byList.set(names, (byKey = new Map<string, Subscription>()));
  const key = `${url} ${everNamed}`;
  let hit = byKey.get(key);
  if (!hit) byKey.set(key, (hit = internSubscription(subscriptionFrom(url, names, everNamed))));
  return hit;
}

/** The resources of `all` that `sub` covers, shared per (`all`, interned `sub`). */
export const select = pairMemo(
  (all: ReadonlyMap<string, EncodedResource>, sub: Subscription): Selection =>
    selectionOf(selectResources(all, sub)),
);

/** What one response carries: all of a selection, or only its changes (RDS/EDS in SotW). */
export interface Payload {
  count: number;
  body(): Buffer;
}

/**
 * The resources of `next` that a client holding `held` lacks or holds at another version.
 * Shared per (`held`, `next`): streams that were sent the same selection get the same bytes.
 */
export const changesSince = pairMemo(
  (held: ReadonlyMap<string, EncodedResource>, next: Selection): Payload => {
    const list = [...next.items.values()].filter((r) => held.get(r.name)?.hash !== r.hash);
    let body: Buffer | undefined;
    return { count: list.length, body: () => (body ??= encodeSotwResources(list)) };
  },
);
