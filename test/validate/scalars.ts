// Scalar values, type-checked the way protobufjs's fromObject reads them (32-bit integers as
// numbers; 64-bit ones as numbers, decimal strings or Long), then their kind's rules.
import { reporter, violation, type Ctx } from './context.js';
import { FLOAT, INT, checkOrdered } from './numeric.js';
import { sub, type Rules } from './rules.js';
import { checkBytes, checkString } from './strings.js';
import { show, toBigInt, toBytes } from './values.js';

const I32: [bigint, bigint] = [-(2n ** 31n), 2n ** 31n - 1n];
const U32: [bigint, bigint] = [0n, 2n ** 32n - 1n];
const I64: [bigint, bigint] = [-(2n ** 63n), 2n ** 63n - 1n];
const U64: [bigint, bigint] = [0n, 2n ** 64n - 1n];

const INT_RANGE: Record<string, [bigint, bigint]> = {
  int32: I32,
  sint32: I32,
  sfixed32: I32,
  uint32: U32,
  fixed32: U32,
  int64: I64,
  sint64: I64,
  sfixed64: I64,
  uint64: U64,
  fixed64: U64,
};

/** The value proto3 gives an unset scalar field. */
export function scalarDefault(type: string): unknown {
  if (type === 'string') return '';
  if (type === 'bytes') return new Uint8Array();
  if (type === 'bool') return false;
  return 0;
}

function checkInt(
  ctx: Ctx,
  type: string,
  rules: Rules | undefined,
  v: unknown,
  path: string,
): void {
  const range = INT_RANGE[type] ?? I64;
  const n = type.endsWith('32') && typeof v !== 'number' ? undefined : toBigInt(v);
  if (n === undefined) {
    violation(ctx, path, `expected ${type}, got ${show(v)}`);
    return;
  }
  if (n < range[0] || n > range[1]) {
    violation(ctx, path, `${show(v)} is out of range for ${type}`);
    return;
  }
  const r = sub(rules, type);
  if (r && !(r.ignore_empty === true && n === 0n))
    checkOrdered(INT, n, r, reporter(ctx, path, type));
}

function checkFloat(
  ctx: Ctx,
  type: string,
  rules: Rules | undefined,
  v: unknown,
  path: string,
): void {
  if (typeof v !== 'number') {
    violation(ctx, path, `expected ${type}, got ${show(v)}`);
    return;
  }
  const r = sub(rules, type);
  if (r && !(r.ignore_empty === true && v === 0))
    checkOrdered(FLOAT, v, r, reporter(ctx, path, type));
}

function checkOther(
  ctx: Ctx,
  type: string,
  rules: Rules | undefined,
  v: unknown,
  path: string,
): void {
  const r = sub(rules, type);
  const report = reporter(ctx, path, type);
  if (type === 'string') {
    if (typeof v === 'string') return r ? checkString(v, r, report) : undefined;
  } else if (type === 'bytes') {
    const b = toBytes(v);
    if (b) return r ? checkBytes(b, r, report) : undefined;
  } else if (type === 'bool') {
    if (typeof v !== 'boolean') return violation(ctx, path, `expected bool, got ${show(v)}`);
    if (r && r.const !== undefined && r.const !== v)
      report('const', `${v} must equal ${show(r.const)}`);
    return;
  }
  violation(ctx, path, `expected ${type}, got ${show(v)}`);
}

/** A scalar value of proto type `type` (also a map key or a wrapper's `value`). */
export function checkScalar(
  ctx: Ctx,
  type: string,
  rules: Rules | undefined,
  v: unknown,
  path: string,
): void {
  if (INT_RANGE[type]) checkInt(ctx, type, rules, v, path);
  else if (type === 'double' || type === 'float') checkFloat(ctx, type, rules, v, path);
  else checkOther(ctx, type, rules, v, path);
}
