// What 1,000 delta streams of the same proxies keep is the same: the names they subscribe to
// and, after each full diff, the name → version map of what they hold. Kept per stream that is
// ~2,000 entries per type each (318 MiB of heap at the scale benchmark); here equal name sets
// are one interned Set, and the held map after a full diff is one map shared per (snapshot
// resources, names, wildcard). Streams copy before they change either (delta.ts).
import { ABSENT } from './delta-diff.js';
import type { EncodedResource } from './encode.js';
import { Interner, pairMemo } from './shared.js';

type Items = ReadonlyMap<string, EncodedResource>;

const nameSets = new Interner<Set<string>>();

/** The one shared Set with these names (never to be mutated: copy first). */
export function internNames(names: Set<string>): Set<string> {
  return nameSets.intern([...names].sort().join('\u0000'), names);
}

function build(all: Items, names: ReadonlySet<string>, wildcard: boolean): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of names) out.set(n, all.get(n)?.hash ?? ABSENT);
  if (wildcard) for (const [n, r] of all) if (!r.namedOnly) out.set(n, r.hash);
  return out;
}

const heldNamed = pairMemo((all: Items, names: Set<string>) => build(all, names, false));
const heldWildcard = pairMemo((all: Items, names: Set<string>) => build(all, names, true));

/**
 * What a stream holds right after a full diff against `all`: the version of every resource it
 * wants, and ABSENT for each subscribed name that does not exist. Shared; never mutated.
 */
export function heldAfterFullDiff(
  all: Items,
  names: Set<string>,
  wildcard: boolean,
): Map<string, string> {
  return (wildcard ? heldWildcard : heldNamed)(all, names);
}
