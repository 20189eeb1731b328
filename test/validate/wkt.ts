// Well-known message types with rules of their own: Duration and Timestamp ({seconds, nanos},
// ordered rules on the instant or length) and Any (`{'@type': url, ...fields}` is checked as
// the named message; `{type_url, value}` is taken as already encoded).
import protobuf from 'protobufjs';
import { reporter, violation, type Ctx } from './context.js';
import { NANOS, checkOrdered } from './numeric.js';
import { sub, type Rules } from './rules.js';
import { asList, show, toBytes, toNanos, type Dict } from './values.js';

/** Duration (`kind` 'duration') or Timestamp ('timestamp'): shape, then ordered rules. */
export function checkTime(
  ctx: Ctx,
  kind: 'duration' | 'timestamp',
  rules: Rules | undefined,
  value: unknown,
  path: string,
): void {
  const nanos = toNanos(value);
  if (typeof nanos === 'string') {
    violation(ctx, path, `${kind}: ${nanos}`);
    return;
  }
  const r = sub(rules, kind);
  if (r) checkOrdered(NANOS, nanos, r, reporter(ctx, path, kind));
}

function lookupMessage(root: protobuf.Root, url: string): protobuf.Type | null {
  const name = url.slice(url.lastIndexOf('/') + 1);
  if (!name) return null;
  try {
    const found = root.lookup(name);
    return found instanceof protobuf.Type ? found : null;
  } catch {
    return null;
  }
}

function checkUrlRules(ctx: Ctx, r: Rules | undefined, url: string, path: string): void {
  if (!r) return;
  const report = reporter(ctx, path, 'any');
  const allowed = asList(r.in).map(String);
  if (allowed.length > 0 && !allowed.includes(url)) {
    report('in', `${JSON.stringify(url)} must be one of ${JSON.stringify(allowed)}`);
  }
  if (asList(r.not_in).map(String).includes(url)) {
    report('not_in', `${JSON.stringify(url)} is not allowed`);
  }
}

function checkPacked(ctx: Ctx, value: Dict, path: string): void {
  for (const k of Object.keys(value).sort()) {
    if (k !== 'type_url' && k !== 'value') violation(ctx, `${path}.${k}`, 'unknown field in Any');
  }
  if (value.value !== undefined && !toBytes(value.value)) {
    violation(
      ctx,
      `${path}.value`,
      `expected bytes (base64 or Uint8Array), got ${show(value.value)}`,
    );
  }
}

/** An Any value: type URL rules, then the packed message itself. */
export function checkAny(ctx: Ctx, rules: Rules | undefined, value: Dict, path: string): void {
  const typed = value['@type'];
  const url = typed ?? value.type_url;
  if (typeof url !== 'string' || url === '') {
    violation(ctx, path, 'Any has no @type');
    return;
  }
  checkUrlRules(ctx, sub(rules, 'any'), url, path);
  if (typed === undefined) {
    checkPacked(ctx, value, path);
    return;
  }
  const target = lookupMessage(ctx.root, url);
  if (!target) {
    violation(ctx, path, `unknown Any type ${JSON.stringify(url)}`);
    return;
  }
  const rest: Dict = { ...value };
  delete rest['@type'];
  ctx.value(target, undefined, rest, path);
}
