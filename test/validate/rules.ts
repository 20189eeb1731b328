// Reading protoc-gen-validate rules out of a protobufjs Root. protobufjs keeps custom options
// twice: flattened in `options` ('(validate.rules).string.min_len': 1, which loses empty
// messages such as `duration = {gt {}}`) and nested in `parsedOptions`
// ([{'(validate.rules)': {string: {min_len: 1}}}]). The nested form is the faithful one.
import protobuf from 'protobufjs';
import { isRecord, type Dict } from './values.js';

/** A PGV FieldRules message as protobufjs parsed it: `{string: {min_len: 1}, message: {...}}`. */
export type Rules = Readonly<Dict>;

const NUMERIC = ['const', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in', 'ignore_empty'];
const STRING = [
  ...['const', 'len', 'min_len', 'max_len', 'len_bytes', 'min_bytes', 'max_bytes', 'pattern'],
  ...['prefix', 'suffix', 'contains', 'not_contains', 'in', 'not_in', 'ignore_empty'],
  ...['hostname', 'ip', 'ipv4', 'ipv6', 'address', 'uuid', 'well_known_regex', 'strict'],
];
const BYTES = ['const', 'len', 'min_len', 'max_len', 'pattern', 'prefix', 'suffix', 'contains'];

/** Every rule this validator enforces, per FieldRules kind. Anything else is reported unchecked. */
export const SUPPORTED: Readonly<Record<string, readonly string[]>> = {
  ...Object.fromEntries(
    ['float', 'double', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64']
      .concat(['fixed32', 'fixed64', 'sfixed32', 'sfixed64'])
      .map((k) => [k, NUMERIC]),
  ),
  bool: ['const'],
  string: STRING,
  bytes: [...BYTES, 'in', 'not_in', 'ip', 'ipv4', 'ipv6', 'ignore_empty'],
  enum: ['const', 'defined_only', 'in', 'not_in'],
  message: ['skip', 'required'],
  repeated: ['min_items', 'max_items', 'unique', 'items', 'ignore_empty'],
  map: ['min_pairs', 'max_pairs', 'no_sparse', 'keys', 'values', 'ignore_empty'],
  any: ['required', 'in', 'not_in'],
  duration: ['required', 'const', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in'],
  timestamp: ['required', 'const', 'lt', 'lte', 'gt', 'gte'],
};

/** Deep-merges `from` into `into` (copying nested objects) and returns `into`. */
function merge(into: Dict, from: Dict): Dict {
  for (const [k, v] of Object.entries(from)) {
    const cur = into[k];
    if (isRecord(cur) && isRecord(v)) merge(cur, v);
    else into[k] = isRecord(v) ? merge({}, v) : v;
  }
  return into;
}

const cache = new WeakMap<protobuf.Field, Rules | null>();

/** The `(validate.rules)` of a field, merged from every option statement; undefined if none. */
export function fieldRules(field: protobuf.Field): Rules | undefined {
  const hit = cache.get(field);
  if (hit !== undefined) return hit ?? undefined;
  const out: Dict = {};
  let found = false;
  const parsed: unknown = field.parsedOptions;
  for (const entry of Array.isArray(parsed) ? (parsed as unknown[]) : []) {
    const r: unknown = isRecord(entry) ? entry['(validate.rules)'] : undefined;
    if (!isRecord(r)) continue;
    merge(out, r);
    found = true;
  }
  cache.set(field, found ? out : null);
  return found ? out : undefined;
}

/** A sub-rule message (`rules.string`, `rules.repeated.items`...) or undefined. */
export function sub(rules: Rules | undefined, key: string): Rules | undefined {
  const v = rules?.[key];
  return isRecord(v) ? v : undefined;
}

export function oneofRequired(oneof: protobuf.OneOf): boolean {
  return oneof.options?.['(validate.required)'] === true;
}

/** `option (validate.disabled) = true` (or the older `ignored`) on a message. */
export function messageDisabled(type: protobuf.Type): boolean {
  const o = type.options ?? {};
  return o['(validate.disabled)'] === true || o['(validate.ignored)'] === true;
}

export interface RuleStats {
  /** Fields carrying `(validate.rules)`. */
  fields: number;
  /** Oneofs carrying `(validate.required)`. */
  oneofs: number;
  /** Individual rules (leaves such as string.min_len, counting nested items/keys/values). */
  rules: number;
  /** Leaves this validator does not enforce, as 'kind.rule' with a count. */
  unchecked: Record<string, number>;
}

const NESTED = new Set(['items', 'keys', 'values']);

function countLeaves(rules: Rules, stats: RuleStats): void {
  for (const [kind, body] of Object.entries(rules)) {
    if (!isRecord(body)) continue;
    for (const [rule, value] of Object.entries(body)) {
      if (NESTED.has(rule) && isRecord(value)) {
        countLeaves(value, stats);
        continue;
      }
      stats.rules++;
      if (SUPPORTED[kind]?.includes(rule)) continue;
      const key = `${kind}.${rule}`;
      stats.unchecked[key] = (stats.unchecked[key] ?? 0) + 1;
    }
  }
}

function visit(ns: protobuf.NamespaceBase, stats: RuleStats): void {
  for (const n of ns.nestedArray) {
    if (n instanceof protobuf.Type) {
      for (const f of n.fieldsArray) {
        const r = fieldRules(f);
        if (!r) continue;
        stats.fields++;
        countLeaves(r, stats);
      }
      stats.oneofs += n.oneofsArray.filter(oneofRequired).length;
    }
    if (n instanceof protobuf.Namespace) visit(n, stats);
  }
}

/** Counts the PGV rules declared anywhere in `root`. */
export function ruleStats(root: protobuf.Root): RuleStats {
  const stats: RuleStats = { fields: 0, oneofs: 0, rules: 0, unchecked: {} };
  visit(root, stats);
  return stats;
}
