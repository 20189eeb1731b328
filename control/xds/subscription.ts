// What a client subscribes to for one type: a set of names, the wildcard, or both. Wildcard is
// only for listeners and clusters: `*`, or (legacy) a stream that never named anything.
import type { EncodedResource } from './encode.js';
import { allowsWildcard, type TypeUrl } from './types.js';

export interface Subscription {
  wildcard: boolean;
  names: ReadonlySet<string>;
}

export function subscriptionFrom(
  url: TypeUrl,
  names: readonly string[],
  everNamed: boolean,
): Subscription {
  const set = new Set(names.filter((n) => n !== '*'));
  const star = names.includes('*');
  const legacy = names.length === 0 && !everNamed;
  return { wildcard: allowsWildcard(url) && (star || legacy), names: set };
}

/** The resources of `all` that `sub` covers, in name order (deterministic responses). */
export function selectResources(
  all: ReadonlyMap<string, EncodedResource>,
  sub: Subscription,
): Map<string, EncodedResource> {
  const out = new Map<string, EncodedResource>();
  const names = new Set(sub.names);
  if (sub.wildcard) for (const [n, r] of all) if (!r.namedOnly) names.add(n);
  for (const n of [...names].sort()) {
    const r = all.get(n);
    if (r) out.set(n, r);
  }
  return out;
}
