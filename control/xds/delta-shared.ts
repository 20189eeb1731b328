// What 1,000 delta streams of the same proxies keep is the same: the names they subscribe to
// and, after each full diff, the name → version map of what they hold. Kept per stream that is
// ~2,000 entries per type each (318 MiB of heap at the scale benchmark); here equal name sets
// are one interned Set, and the held map after a full diff is one map shared per (snapshot
// resources, names, wildcard). Streams copy before they change either (delta.ts).
import { ABSENT } from './delta-diff.js';
import type { EncodedResource } from './encode.js';

type Items = ReadonlyMap<string, EncodedResource>;

const namesByKey = new Map<string, WeakRef<Set<string>>>();
const forget = new FinalizationRegistry<string>((key) => {
  if (namesByKey.get(key)?.deref() === undefined) namesByKey.delete(key);
});

/** The one shared Set with these names (never to be mutated: copy first). */
export function internNames(names: Set<string>): Set<string> {
  const key = [...names].sort().join('\u0000');
  const hit = namesByKey.get(key)?.deref();
  if (hit) return hit;
  namesByKey.set(key, new WeakRef(names));
  forget.register(names, key);
  return names;
}

const heldMemo = new WeakMap<Items, WeakMap<Set<string>, Map<boolean, Map<string, string>>>>();

function build(all: Items, names: ReadonlySet<string>, wildcard: boolean): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of names) out.set(n, all.get(n)?.hash ?? ABSENT);
  if (wildcard) for (const [n, r] of all) if (!r.namedOnly) out.set(n, r.hash);
  return out;
}

/**
 * What a stream holds right after a full diff against `all`: the version of every resource it
 * wants, and ABSENT for each subscribed name that does not exist. Shared; never mutated.
 */
export function heldAfterFullDiff(
  all: Items,
  names: Set<string>,
  wildcard: boolean,
): Map<string, string> {
  let byNames = heldMemo.get(all);
  if (!byNames)
    heldMemo.set(all, (byNames = new WeakMap<Set<string>, Map<boolean, Map<string, string>>>()));
  let byWildcard = byNames.get(names);
  if (!byWildcard) byNames.set(names, (byWildcard = new Map<boolean, Map<string, string>>()));
  let hit = byWildcard.get(wildcard);
  if (!hit) byWildcard.set(wildcard, (hit = build(all, names, wildcard)));
  return hit;
}
