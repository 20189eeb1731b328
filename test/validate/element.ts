// One value of a field: a scalar (scalars.ts), an enum (name or number; defined_only, const,
// in, not_in) or a message (wrappers, Duration, Timestamp and Any have their own readings;
// other messages are walked field by field).
import protobuf from 'protobufjs';
import { reporter, violation, type Ctx, type Elem } from './context.js';
import { INT, checkOrdered } from './numeric.js';
import { sub, type Rules } from './rules.js';
import { checkScalar, scalarDefault } from './scalars.js';
import { isRecord, show, type Dict } from './values.js';
import { checkAny, checkTime } from './wkt.js';

function checkEnum(
  ctx: Ctx,
  en: protobuf.Enum,
  rules: Rules | undefined,
  v: unknown,
  path: string,
): void {
  let n: number;
  if (typeof v === 'string') {
    if (!Object.hasOwn(en.values, v)) {
      violation(ctx, path, `enum: unknown value ${show(v)} for ${en.fullName.slice(1)}`);
      return;
    }
    n = en.values[v] ?? 0;
  } else if (typeof v === 'number' && Number.isInteger(v)) {
    n = v;
  } else {
    violation(ctx, path, `expected an ${en.name} name or number, got ${show(v)}`);
    return;
  }
  const r = sub(rules, 'enum');
  if (!r) return;
  const report = reporter(ctx, path, 'enum');
  if (r.defined_only === true && !Object.values(en.values).includes(n)) {
    report('defined_only', `${n} is not a defined ${en.name} value`);
  }
  const named = { ...INT, show: (x: bigint): string => en.valuesById[Number(x)] ?? String(x) };
  checkOrdered(named, BigInt(n), r, report);
}

const WRAPPERS: Record<string, string> = Object.fromEntries(
  ['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes'].map((w) => [
    `.google.protobuf.${w}Value`,
    w.toLowerCase(),
  ]),
);

function checkWrapper(
  ctx: Ctx,
  scalar: string,
  rules: Rules | undefined,
  v: Dict,
  path: string,
): void {
  for (const k of Object.keys(v).sort()) {
    if (k !== 'value')
      violation(ctx, `${path}.${k}`, `unknown field (a ${scalar} wrapper has only value)`);
  }
  checkScalar(ctx, scalar, rules, v.value ?? scalarDefault(scalar), path);
}

/** A message-typed value; `rules` are the field's rules (wrapper / duration / any / message). */
export function checkMessageValue(
  ctx: Ctx,
  type: protobuf.Type,
  rules: Rules | undefined,
  v: unknown,
  path: string,
): void {
  if (!isRecord(v))
    return violation(ctx, path, `expected ${type.fullName.slice(1)}, got ${show(v)}`);
  const name = type.fullName;
  const scalar = WRAPPERS[name];
  if (scalar) return checkWrapper(ctx, scalar, rules, v, path);
  if (name === '.google.protobuf.Duration') return checkTime(ctx, 'duration', rules, v, path);
  if (name === '.google.protobuf.Timestamp') return checkTime(ctx, 'timestamp', rules, v, path);
  if (name === '.google.protobuf.Any') return checkAny(ctx, rules, v, path);
  if (sub(rules, 'message')?.skip !== true) return ctx.message(type, v, path);
  const saved = ctx.rules;
  ctx.rules = false; // message.skip: the embedded message's rules are not applied
  try {
    ctx.message(type, v, path);
  } finally {
    ctx.rules = saved;
  }
}

/** One value of a field, list item or map value. */
export function checkElement(
  ctx: Ctx,
  elem: Elem,
  rules: Rules | undefined,
  v: unknown,
  path: string,
): void {
  if (elem.kind === 'scalar') checkScalar(ctx, elem.type, rules, v, path);
  else if (elem.kind === 'enum') checkEnum(ctx, elem.en, rules, v, path);
  else checkMessageValue(ctx, elem.type, rules, v, path);
}
