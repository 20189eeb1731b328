// What a delta stream sends for one type: the resources the client wants whose version it does
// not hold, the names it asked for that do not exist, and (unless removals are held back for
// make-before-break) the names it holds that left the snapshot or its subscription.
//
// Once a stream has been diffed against a snapshot (its `base`) and its subscription has not
// changed since, only names whose resource differs between `base` and the new snapshot can
// differ in the outcome; that set is computed once per pair of snapshots and shared by every
// stream, so a push costs each stream the changed names, not every name it holds. The result
// is the same as diffing every name.
import type { EncodedResource } from './encode.js';
import { pairMemo } from './shared.js';

/** Sentinel in `held`: the client was told this name does not exist. */
export const ABSENT = '';

type Items = ReadonlyMap<string, EncodedResource>;

export interface DiffState {
  wildcard: boolean;
  names: Set<string>;
  held: Map<string, string>;
  /** The resources the last full-state diff was made against (undefined: diff every name). */
  base: Items | undefined;
}

export interface Diff {
  send: EncodedResource[];
  removed: string[];
}

/** Names whose resource differs between `base` and `all` (added, changed or gone), sorted. */
const changedNames = pairMemo((base: Items, all: Items): string[] => {
  const out: string[] = [];
  if (base === all) return out;
  for (const [n, r] of all) if (base.get(n)?.hash !== r.hash) out.push(n);
  for (const n of base.keys()) if (!all.has(n)) out.push(n);
  return out.sort();
});

function wantedNames(all: Items, st: DiffState): string[] {
  const wanted = new Set(st.names);
  if (st.wildcard) for (const [n, r] of all) if (!r.namedOnly) wanted.add(n);
  return [...wanted].sort();
}

/** Resources to (re)send and names to announce as missing, among `names` the client wants. */
function changes(all: Items, st: DiffState, forced: ReadonlySet<string>, names: string[]): Diff {
  const send: EncodedResource[] = [];
  const removed: string[] = [];
  for (const n of names) {
    const r = all.get(n);
    if (!st.names.has(n) && !(st.wildcard && r?.namedOnly === false)) continue;
    const told = st.held.get(n);
    if (r && (forced.has(n) || told !== r.hash)) send.push(r);
    else if (!r && st.names.has(n) && (forced.has(n) || told !== ABSENT)) removed.push(n);
  }
  return { send, removed };
}

/** Names among `names` the client holds that left the snapshot or its subscription. */
function departures(all: Items, st: DiffState, names: Iterable<string>): string[] {
  const inScope = (n: string): boolean =>
    st.names.has(n) || (st.wildcard && all.get(n)?.namedOnly === false);
  return [...names]
    .filter((n) => st.held.has(n))
    .filter((n) => !inScope(n) || (!all.has(n) && st.held.get(n) !== ABSENT))
    .sort();
}

export function diff(
  all: Items,
  st: DiffState,
  forced: ReadonlySet<string>,
  keepRemovals: boolean,
): Diff {
  const only = st.base && forced.size === 0 ? changedNames(st.base, all) : undefined;
  const d = changes(all, st, forced, only ?? wantedNames(all, st));
  if (keepRemovals) return d;
  const removed = new Set(d.removed);
  for (const n of departures(all, st, only ?? st.held.keys())) removed.add(n);
  return { send: d.send, removed: [...removed] };
}
