// Ordered-value rules shared by every number kind, Duration and Timestamp: const, lt, lte, gt,
// gte (with PGV's exclusive-range reading when the upper bound is below the lower one), in and
// not_in. Integers are compared as bigint so 64-bit bounds stay exact.
import type { Rules } from './rules.js';
import { asList, showNanos, toBigInt, toFloat, toNanos } from './values.js';

/** Reports one violation of `rule` (e.g. 'lte') with a human-readable detail. */
export type Report = (rule: string, detail: string) => void;

export interface Ordered<T> {
  parse(x: unknown): T | undefined;
  cmp(a: T, b: T): number;
  show(x: T): string;
}

function cmpBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export const INT: Ordered<bigint> = { parse: toBigInt, cmp: cmpBig, show: String };

export const FLOAT: Ordered<number> = {
  parse: toFloat,
  cmp: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  show: String,
};

export const NANOS: Ordered<bigint> = {
  parse: (x) => {
    const n = toNanos(x);
    return typeof n === 'bigint' ? n : undefined;
  },
  cmp: cmpBig,
  show: showNanos,
};

interface Bound<T> {
  rule: string;
  at: T;
}

function bound<T>(o: Ordered<T>, rules: Rules, strict: string, loose: string): Bound<T> | null {
  for (const rule of [strict, loose]) {
    const at = rules[rule] === undefined ? undefined : o.parse(rules[rule]);
    if (at !== undefined) return { rule, at };
  }
  return null;
}

const OPS: Record<string, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

function within<T>(o: Ordered<T>, v: T, b: Bound<T> | null): boolean {
  if (!b) return true;
  const c = o.cmp(v, b.at);
  return { gt: c > 0, gte: c >= 0, lt: c < 0, lte: c <= 0 }[b.rule] ?? true;
}

function text<T>(o: Ordered<T>, b: Bound<T>): string {
  return `${OPS[b.rule] ?? b.rule} ${o.show(b.at)}`;
}

function checkRange<T>(o: Ordered<T>, v: T, rules: Rules, report: Report): void {
  const low = bound(o, rules, 'gt', 'gte');
  const high = bound(o, rules, 'lt', 'lte');
  const lowOk = within(o, v, low);
  const highOk = within(o, v, high);
  if (low && high && o.cmp(high.at, low.at) <= 0) {
    // PGV: an upper bound below the lower one means "outside [upper, lower]".
    if (!lowOk && !highOk) {
      report(
        `${low.rule}/${high.rule}`,
        `${o.show(v)} must be ${text(o, low)} or ${text(o, high)}`,
      );
    }
    return;
  }
  if (low && !lowOk) report(low.rule, `${o.show(v)} must be ${text(o, low)}`);
  if (high && !highOk) report(high.rule, `${o.show(v)} must be ${text(o, high)}`);
}

function parsedList<T>(o: Ordered<T>, raw: unknown): T[] {
  return asList(raw)
    .map((x) => o.parse(x))
    .filter((x): x is T => x !== undefined);
}

function checkSets<T>(o: Ordered<T>, v: T, rules: Rules, report: Report): void {
  const allowed = parsedList(o, rules.in);
  if (allowed.length > 0 && !allowed.some((a) => o.cmp(a, v) === 0)) {
    report('in', `${o.show(v)} must be one of [${allowed.map((a) => o.show(a)).join(', ')}]`);
  }
  const banned = parsedList(o, rules.not_in);
  if (banned.some((a) => o.cmp(a, v) === 0)) {
    report(
      'not_in',
      `${o.show(v)} must not be one of [${banned.map((b) => o.show(b)).join(', ')}]`,
    );
  }
}

/** Applies const, range and set rules of `rules` (one kind's rules) to `v`. */
export function checkOrdered<T>(o: Ordered<T>, v: T, rules: Rules, report: Report): void {
  if (rules.const !== undefined) {
    const c = o.parse(rules.const);
    if (c !== undefined && o.cmp(v, c) !== 0)
      report('const', `${o.show(v)} must equal ${o.show(c)}`);
  }
  checkRange(o, v, rules, report);
  checkSets(o, v, rules, report);
}

function num(arg: unknown): number {
  const n = toBigInt(arg);
  return n === undefined ? NaN : Number(n);
}

/** Count checks (lengths, items, pairs); null when `n` satisfies the bound `arg`. */
export function atLeast(n: number, arg: unknown, unit: string): string | null {
  return n >= num(arg) ? null : `${n} ${unit}, at least ${num(arg)} required`;
}

export function atMost(n: number, arg: unknown, unit: string): string | null {
  return n <= num(arg) ? null : `${n} ${unit}, at most ${num(arg)} allowed`;
}

export function exactly(n: number, arg: unknown, unit: string): string | null {
  return n === num(arg) ? null : `${n} ${unit}, exactly ${num(arg)} required`;
}
