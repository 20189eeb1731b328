// One field of a message: proto3 presence (unset scalars are checked at their default value,
// unset messages only for `required`, unset oneof members not at all), then repeated and map
// rules with their items / keys / values rules.
import protobuf from 'protobufjs';
import { elemOf, reporter, violation, type Ctx } from './context.js';
import { checkElement } from './element.js';
import { checkScalar, scalarDefault } from './scalars.js';
import { atLeast, atMost } from './numeric.js';
import { fieldRules, sub, type Rules } from './rules.js';
import { isRecord, join, show, stableKey } from './values.js';

const REQUIRABLE = ['message', 'duration', 'timestamp', 'any'];

function checkAbsent(
  ctx: Ctx,
  field: protobuf.Field,
  rules: Rules | undefined,
  path: string,
): void {
  if (field.partOf) return; // an unset oneof member (or proto3 optional) has no rules to meet
  const elem = elemOf(field);
  if (elem.kind === 'message') {
    const kind = REQUIRABLE.find((k) => sub(rules, k)?.required === true);
    if (kind) violation(ctx, path, `${kind}.required: value is required`);
    return;
  }
  if (!rules) return;
  const value = elem.kind === 'enum' ? 0 : scalarDefault(elem.type);
  checkElement(ctx, elem, rules, value, path);
}

function checkCounts(ctx: Ctx, r: Rules, items: unknown[], path: string): void {
  if (r.ignore_empty === true && items.length === 0) return;
  const report = reporter(ctx, path, 'repeated');
  const problems: [string, string | null][] = [
    ['min_items', r.min_items === undefined ? null : atLeast(items.length, r.min_items, 'items')],
    ['max_items', r.max_items === undefined ? null : atMost(items.length, r.max_items, 'items')],
  ];
  for (const [rule, problem] of problems) if (problem) report(rule, problem);
  if (r.unique !== true) return;
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const first = seen.get(stableKey(item));
    if (first === undefined) seen.set(stableKey(item), i);
    else report('unique', `item ${i} (${show(item)}) repeats item ${first}`);
  });
}

function checkRepeated(
  ctx: Ctx,
  field: protobuf.Field,
  rules: Rules | undefined,
  v: unknown,
  path: string,
): void {
  const items = v ?? [];
  if (!Array.isArray(items)) return violation(ctx, path, `expected a list, got ${show(v)}`);
  const r = sub(rules, 'repeated');
  if (r) checkCounts(ctx, r, items, path);
  const elem = elemOf(field);
  const itemRules = sub(r, 'items');
  items.forEach((item: unknown, i) => {
    const here = `${path}[${i}]`;
    if (item === null || item === undefined) violation(ctx, here, 'list item is null');
    else checkElement(ctx, elem, itemRules, item, here);
  });
}

function mapKey(keyType: string, key: string): unknown {
  if (keyType === 'string') return key;
  if (keyType === 'bool') return key === 'true' ? true : key === 'false' ? false : key;
  return /^-?\d+$/.test(key) && keyType.endsWith('32') ? Number(key) : key;
}

function checkPairs(ctx: Ctx, r: Rules, n: number, path: string): void {
  if (r.ignore_empty === true && n === 0) return;
  const report = reporter(ctx, path, 'map');
  const low = r.min_pairs === undefined ? null : atLeast(n, r.min_pairs, 'pairs');
  const high = r.max_pairs === undefined ? null : atMost(n, r.max_pairs, 'pairs');
  if (low) report('min_pairs', low);
  if (high) report('max_pairs', high);
}

function checkMap(
  ctx: Ctx,
  field: protobuf.MapField,
  rules: Rules | undefined,
  v: unknown,
  path: string,
): void {
  const map = v ?? {};
  if (!isRecord(map)) return violation(ctx, path, `expected a map object, got ${show(v)}`);
  const r = sub(rules, 'map');
  const keys = Object.keys(map).sort();
  if (r) checkPairs(ctx, r, keys.length, path);
  const elem = elemOf(field);
  for (const key of keys) {
    const here = `${path}[${JSON.stringify(key)}]`;
    checkScalar(ctx, field.keyType, sub(r, 'keys'), mapKey(field.keyType, key), here);
    const value = map[key];
    if (value === null || value === undefined) {
      violation(
        ctx,
        here,
        r?.no_sparse === true ? 'map.no_sparse: value is unset' : 'map value is null',
      );
    } else {
      checkElement(ctx, elem, sub(r, 'values'), value, here);
    }
  }
}

/** Checks field `field` of message object `obj` at message path `path`. */
export function checkField(
  ctx: Ctx,
  field: protobuf.Field,
  obj: Record<string, unknown>,
  path: string,
): void {
  const v = obj[field.name];
  const here = join(path, field.name);
  const rules = ctx.rules ? fieldRules(field) : undefined;
  if (field instanceof protobuf.MapField) return checkMap(ctx, field, rules, v, here);
  if (field.repeated) return checkRepeated(ctx, field, rules, v, here);
  if (v === null || v === undefined) return checkAbsent(ctx, field, rules, here);
  checkElement(ctx, elemOf(field), rules, v, here);
}
