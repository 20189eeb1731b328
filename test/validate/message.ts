// A plain message object: every key must be a field of the type, every field is checked, and
// every oneof holds at most one member (exactly one when it carries `(validate.required)`).
import protobuf from 'protobufjs';
import { MAX_DEPTH, violation, type Ctx } from './context.js';
import { checkField } from './fields.js';
import { messageDisabled, oneofRequired } from './rules.js';
import { join } from './values.js';

function checkUnknown(
  ctx: Ctx,
  type: protobuf.Type,
  obj: Record<string, unknown>,
  path: string,
): void {
  for (const key of Object.keys(obj)) {
    if (obj[key] === undefined || Object.hasOwn(type.fields, key)) continue;
    violation(ctx, join(path, key), `unknown field (not in ${type.fullName.slice(1)})`);
  }
}

function isSet(obj: Record<string, unknown>, name: string): boolean {
  return obj[name] !== undefined && obj[name] !== null;
}

function checkOneofs(
  ctx: Ctx,
  type: protobuf.Type,
  obj: Record<string, unknown>,
  path: string,
): void {
  for (const oneof of type.oneofsArray) {
    const names = oneof.fieldsArray.map((f) => f.name);
    const set = names.filter((n) => isSet(obj, n));
    if (set.length > 1) {
      violation(ctx, path, `oneof ${oneof.name}: only one of ${set.join(', ')} may be set`);
    } else if (set.length === 0 && ctx.rules && oneofRequired(oneof)) {
      violation(
        ctx,
        path,
        `oneof ${oneof.name}: validate.required: one of ${names.join('|')} must be set`,
      );
    }
  }
}

/** Walks `obj` as a `type` message (not a well-known type; see element.ts for those). */
export function checkMessage(
  ctx: Ctx,
  type: protobuf.Type,
  obj: Record<string, unknown>,
  path: string,
): void {
  if (ctx.active.has(obj)) return violation(ctx, path, 'object contains itself (cycle)');
  if (ctx.depth >= MAX_DEPTH)
    return violation(ctx, path, `nested deeper than ${MAX_DEPTH} messages`);
  const saved = ctx.rules;
  ctx.active.add(obj);
  ctx.depth++;
  if (messageDisabled(type)) ctx.rules = false;
  try {
    checkUnknown(ctx, type, obj, path);
    for (const field of type.fieldsArray) checkField(ctx, field, obj, path);
    checkOneofs(ctx, type, obj, path);
  } finally {
    ctx.rules = saved;
    ctx.depth--;
    ctx.active.delete(obj);
  }
}
