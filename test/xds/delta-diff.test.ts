// The delta diff's shortcut (only names that changed since the stream's last full diff) must give
// exactly what diffing every name gives, whatever the snapshots, subscriptions and pushes: two
// stream states receive the same random history, one with the shortcut and one without.
import t from 'tap';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { ABSENT, diff, type DiffState } from '../../control/xds/delta-diff.js';
import { heldAfterFullDiff, internNames } from '../../control/xds/delta-shared.js';
import type { EncodedResource } from '../../control/xds/encode.js';
import { TYPE } from '../../control/xds/types.js';

const NAMES = ['a', 'b', 'c', 'd', 'e', 'f'];

type Items = Map<string, EncodedResource>;

function resource(name: string, hash: string, namedOnly: boolean): EncodedResource {
  return {
    name,
    typeUrl: TYPE.cluster,
    bytes: Buffer.from(hash),
    hash,
    source: {},
    namedOnly,
  };
}

/** A snapshot: each name absent or present with one of three versions. */
const snapshot = fc
  .array(fc.integer({ min: 0, max: 3 }), { minLength: NAMES.length, maxLength: NAMES.length })
  .map((vs): Items => {
    const m: Items = new Map();
    NAMES.forEach((n, i) => {
      const v = vs[i] ?? 0;
      if (v > 0) m.set(n, resource(n, `${n}${v}`, n === 'f'));
    });
    return m;
  });

type Step =
  | { kind: 'push'; items: Items }
  | { kind: 'subscribe'; names: string[] }
  | { kind: 'unsubscribe'; names: string[] };

const names = fc.subarray(NAMES, { minLength: 1 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: snapshot.map((items): Step => ({ kind: 'push', items })) },
  { weight: 1, arbitrary: names.map((n): Step => ({ kind: 'subscribe', names: n })) },
  { weight: 1, arbitrary: names.map((n): Step => ({ kind: 'unsubscribe', names: n })) },
);

function fresh(wildcard: boolean): DiffState {
  return { wildcard, names: new Set(), held: new Map(), base: undefined };
}

/** Set by the invariant check below when held differs from the shared map after a full diff. */
let broken = '';

/** What delta.ts does with a diff's outcome (and the invariant its shared held maps rely on). */
function apply(st: DiffState, all: Items, d: ReturnType<typeof diff>, keepRemovals: boolean): void {
  if (!keepRemovals) st.base = all;
  for (const r of d.send) st.held.set(r.name, r.hash);
  for (const n of d.removed) {
    if (st.names.has(n) && !all.has(n)) st.held.set(n, ABSENT);
    else st.held.delete(n);
  }
  if (keepRemovals) return;
  const shared = heldAfterFullDiff(all, internNames(new Set(st.names)), st.wildcard);
  if (!isDeepStrictEqual([...st.held].sort(), [...shared].sort()))
    broken ||= `held ${JSON.stringify([...st.held])} ≠ ${JSON.stringify([...shared])}`;
}

function outcome(d: ReturnType<typeof diff>): { send: string[]; removed: string[] } {
  return {
    send: d.send.map((r) => `${r.name}@${r.hash}`).sort(),
    removed: [...d.removed].sort(),
  };
}

/** One history on one state; `shortcut` false forgets the base before every diff. */
function run(steps: Step[], wildcard: boolean, shortcut: boolean): unknown[] {
  const st = fresh(wildcard);
  let all: Items = new Map();
  const out: unknown[] = [];
  const respond = (forced: Set<string>, keepRemovals: boolean): void => {
    if (!shortcut) st.base = undefined;
    const d = diff(all, st, forced, keepRemovals);
    out.push(outcome(d));
    apply(st, all, d, keepRemovals);
  };
  for (const s of steps) {
    if (s.kind === 'push') {
      all = s.items;
      respond(new Set(), true); // clusters first, removals held back …
      respond(new Set(), false); // … then the full diff at the end of the push
    } else if (s.kind === 'subscribe') {
      st.base = undefined;
      for (const n of s.names) st.names.add(n);
      respond(new Set(s.names), false);
    } else {
      st.base = undefined;
      for (const n of s.names) {
        st.names.delete(n);
        if (!st.wildcard) st.held.delete(n);
      }
      respond(new Set(), false);
    }
  }
  return out;
}

t.test('diffing only the changed names equals diffing every name', async (t) => {
  const history = fc.array(step, { minLength: 1, maxLength: 12 });
  const same = fc.property(history, fc.boolean(), (steps, wild) =>
    isDeepStrictEqual(run(steps, wild, true), run(steps, wild, false)),
  );
  t.doesNotThrow(() => fc.assert(same, { numRuns: 1000 }), '1,000 random histories');
  t.equal(broken, '', 'after every full diff a stream holds exactly the shared map');
});

t.test('a push after a full diff sends only what changed', async (t) => {
  const st = fresh(true);
  const one: Items = new Map([
    ['a', resource('a', 'a1', false)],
    ['b', resource('b', 'b1', false)],
  ]);
  const first = diff(one, st, new Set(), false);
  apply(st, one, first, false);
  t.same(outcome(first), { send: ['a@a1', 'b@b1'], removed: [] });
  const two: Items = new Map([['a', resource('a', 'a2', false)]]);
  const second = diff(two, st, new Set(), false);
  t.same(outcome(second), { send: ['a@a2'], removed: ['b'] }, 'changed a, removed b');
});
