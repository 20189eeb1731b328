// What a SotW stream sends for one type depends only on the snapshot's resources of that type
// and the stream's subscription. Subscriptions are interned (equal content, one object), so the
// selection, its version and its encoded resources are computed once per snapshot and
// subscription and shared by every stream with both: a push to 1,000 proxies of the same scope
// selects, versions and encodes once instead of 1,000 times.
import type { EncodedResource } from './encode.js';
import { encodeSotwResources } from './messages.js';
import { versionOf } from './snapshot.js';
import { selectResources, type Subscription } from './subscription.js';

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

const interned = new Map<string, WeakRef<Subscription>>();
const forget = new FinalizationRegistry<string>((key) => {
  if (interned.get(key)?.deref() === undefined) interned.delete(key);
});

/** The one shared object for subscriptions with this content. */
export function internSubscription(sub: Subscription): Subscription {
  const key = `${sub.wildcard ? '*' : '-'}${[...sub.names].sort().join('\u0000')}`;
  const hit = interned.get(key)?.deref();
  if (hit) return hit;
  interned.set(key, new WeakRef(sub));
  forget.register(sub, key);
  return sub;
}

const memo = new WeakMap<ReadonlyMap<string, EncodedResource>, Map<Subscription, Selection>>();

/** The resources of `all` that `sub` covers, shared per (`all`, interned `sub`). */
export function select(all: ReadonlyMap<string, EncodedResource>, sub: Subscription): Selection {
  let bySub = memo.get(all);
  if (!bySub) memo.set(all, (bySub = new Map<Subscription, Selection>()));
  let hit = bySub.get(sub);
  if (!hit) bySub.set(sub, (hit = selectionOf(selectResources(all, sub))));
  return hit;
}
