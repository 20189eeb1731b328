// PGV string and bytes rules. Lengths: `len`/`min_len`/`max_len` count code points for strings
// and bytes for bytes; `*_bytes` count UTF-8 bytes. Each rule is one small table entry.
import { atLeast, atMost, exactly, type Report } from './numeric.js';
import { compilePattern, formatProblem, knownRegex } from './patterns.js';
import type { Rules } from './rules.js';
import { asList, runeCount, show, utf8Length } from './values.js';

type Check<V> = (v: V, arg: unknown, rules: Rules) => string | null;

function pattern(s: string, arg: unknown): string | null {
  if (typeof arg !== 'string') return null;
  const re = compilePattern(arg);
  if (!re) return `cannot evaluate RE2 pattern ${JSON.stringify(arg)}`;
  return re.test(s) ? null : `${show(s)} does not match ${JSON.stringify(arg)}`;
}

function oneOf(s: string, arg: unknown): string | null {
  const list = asList(arg).map(String);
  return list.includes(s) ? null : `${show(s)} must be one of ${JSON.stringify(list)}`;
}

function noneOf(s: string, arg: unknown): string | null {
  return asList(arg).map(String).includes(s) ? `${show(s)} is not allowed` : null;
}

const whenTrue =
  (format: string): Check<string> =>
  (s, arg) =>
    arg === true ? formatProblem(format, s) : null;

const STRING: Record<string, Check<string>> = {
  const: (s, a) => (s === String(a) ? null : `${show(s)} must equal ${show(a)}`),
  len: (s, a) => exactly(runeCount(s), a, 'characters'),
  min_len: (s, a) => atLeast(runeCount(s), a, 'characters'),
  max_len: (s, a) => atMost(runeCount(s), a, 'characters'),
  len_bytes: (s, a) => exactly(utf8Length(s), a, 'bytes'),
  min_bytes: (s, a) => atLeast(utf8Length(s), a, 'bytes'),
  max_bytes: (s, a) => atMost(utf8Length(s), a, 'bytes'),
  pattern,
  prefix: (s, a) => (s.startsWith(String(a)) ? null : `${show(s)} must start with ${show(a)}`),
  suffix: (s, a) => (s.endsWith(String(a)) ? null : `${show(s)} must end with ${show(a)}`),
  contains: (s, a) => (s.includes(String(a)) ? null : `${show(s)} must contain ${show(a)}`),
  not_contains: (s, a) => (s.includes(String(a)) ? `${show(s)} must not contain ${show(a)}` : null),
  in: oneOf,
  not_in: noneOf,
  well_known_regex: (s, a, rules) => knownRegex(s, a, rules.strict !== false),
  ...Object.fromEntries(
    ['hostname', 'ip', 'ipv4', 'ipv6', 'address', 'uuid'].map((f) => [f, whenTrue(f)]),
  ),
};

function run<V>(table: Record<string, Check<V>>, v: V, rules: Rules, report: Report): void {
  for (const [rule, arg] of Object.entries(rules)) {
    const check = table[rule];
    const problem = check ? check(v, arg, rules) : null;
    if (problem) report(rule, problem);
  }
}

/** Applies StringRules to `s`. */
export function checkString(s: string, rules: Rules, report: Report): void {
  if (rules.ignore_empty === true && s === '') return;
  run(STRING, s, rules, report);
}

function argBytes(arg: unknown): Buffer {
  return arg instanceof Uint8Array ? Buffer.from(arg) : Buffer.from(String(arg), 'utf8');
}

const BYTES: Record<string, Check<Buffer>> = {
  const: (b, a) => (b.equals(argBytes(a)) ? null : `bytes differ from the required constant`),
  len: (b, a) => exactly(b.length, a, 'bytes'),
  min_len: (b, a) => atLeast(b.length, a, 'bytes'),
  max_len: (b, a) => atMost(b.length, a, 'bytes'),
  pattern: (b, a) => pattern(b.toString('utf8'), a),
  prefix: (b, a) => (b.subarray(0, argBytes(a).length).equals(argBytes(a)) ? null : 'bad prefix'),
  suffix: (b, a) =>
    b.subarray(b.length - argBytes(a).length).equals(argBytes(a)) ? null : 'bad suffix',
  contains: (b, a) => (b.includes(argBytes(a)) ? null : 'does not contain the required bytes'),
  in: (b, a) =>
    asList(a).some((x) => b.equals(argBytes(x))) ? null : 'not one of the allowed values',
  not_in: (b, a) => (asList(a).some((x) => b.equals(argBytes(x))) ? 'value is not allowed' : null),
  ip: (b, a) => (a === true && b.length !== 4 && b.length !== 16 ? 'not a 4 or 16 byte IP' : null),
  ipv4: (b, a) => (a === true && b.length !== 4 ? 'not a 4 byte IPv4 address' : null),
  ipv6: (b, a) => (a === true && b.length !== 16 ? 'not a 16 byte IPv6 address' : null),
};

/** Applies BytesRules to `b`. */
export function checkBytes(b: Uint8Array, rules: Rules, report: Report): void {
  if (rules.ignore_empty === true && b.length === 0) return;
  run(BYTES, Buffer.from(b), rules, report);
}
