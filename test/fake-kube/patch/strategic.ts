// Strategic merge patch for the built-in types the fake serves: maps merge like RFC 7386, lists
// with a patchMergeKey merge item by item, primitive "merge" lists (finalizers) union, other lists
// are replaced. Directives: $patch (replace|delete|merge), $retainKeys,
// $deleteFromPrimitiveList/<field>, $setElementOrder/<field>.
import { badRequest, unprocessable } from '../errors.js';
import { clone, deepEqual, isObject, type JsonObject, type JsonValue } from '../json.js';
import { mergeStrategyFor, type ListStrategy } from './merge-keys.js';

const DELETE = Symbol('delete');
type Merged = JsonValue | typeof DELETE;

const ORDER = '$setElementOrder/';
const DELETE_FROM = '$deleteFromPrimitiveList/';

function isDirectiveKey(key: string): boolean {
  return (
    key === '$patch' ||
    key === '$retainKeys' ||
    key.startsWith(ORDER) ||
    key.startsWith(DELETE_FROM)
  );
}

function patchMode(patch: JsonObject): string {
  const mode = patch.$patch;
  if (mode === undefined) return 'merge';
  if (mode !== 'replace' && mode !== 'delete' && mode !== 'merge') {
    throw badRequest(`Unknown patch type: ${JSON.stringify(mode)}`);
  }
  return mode;
}

/** A patch value with every directive removed (what a "replace" keeps). */
function stripDirectives(value: JsonValue): JsonValue {
  if (Array.isArray(value))
    return value.filter((v) => !(isObject(v) && v.$patch !== undefined)).map(stripDirectives);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value))
    if (v !== undefined && !isDirectiveKey(k)) out[k] = stripDirectives(v);
  return out;
}

function mergeMap(original: JsonObject, patch: JsonObject, path: string[]): Merged {
  const mode = patchMode(patch);
  if (mode === 'delete') return DELETE;
  if (mode === 'replace') return stripDirectives(patch);
  const result = clone(original);
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || isDirectiveKey(key)) continue;
    const merged = mergeValue(result[key], value, [...path, key]);
    if (merged === DELETE) delete result[key];
    else result[key] = merged;
  }
  applyDeleteFromPrimitiveList(result, patch);
  applySetElementOrder(result, patch, path);
  applyRetainKeys(result, patch);
  return result;
}

function mergeValue(original: JsonValue | undefined, value: JsonValue, path: string[]): Merged {
  if (value === null) return DELETE;
  if (isObject(value)) return mergeMap(isObject(original) ? original : {}, value, path);
  if (Array.isArray(value)) return mergeList(Array.isArray(original) ? original : [], value, path);
  return value;
}

function mergeList(original: JsonValue[], patch: JsonValue[], path: string[]): JsonValue {
  if (patch.some(Array.isArray)) throw unprocessable('lists of lists are not supported');
  const strategy = mergeStrategyFor(path, [...original, ...patch]);
  if (strategy.kind === 'replace') return stripDirectives(patch);
  if (strategy.kind === 'primitive') return unionPrimitives(original, patch);
  return mergeKeyed(original, patch, strategy, path);
}

function unionPrimitives(original: JsonValue[], patch: JsonValue[]): JsonValue[] {
  const out = [...original];
  for (const v of patch) if (!out.some((o) => deepEqual(o, v))) out.push(v);
  return out;
}

function mergeKeyed(
  original: JsonValue[],
  patch: JsonValue[],
  strategy: Extract<ListStrategy, { kind: 'keyed' }>,
  path: string[],
): JsonValue[] {
  const key = strategy.key;
  if (patch.some((p) => isObject(p) && p.$patch === 'replace')) {
    return stripDirectives(
      patch.filter((p) => !(isObject(p) && p.$patch === 'replace')),
    ) as JsonValue[];
  }
  const out = clone(original);
  for (const item of patch) {
    if (!isObject(item))
      throw unprocessable(`list ${path.join('.')} with merge key ${key} holds a non-object`);
    if (item[key] === undefined) {
      throw unprocessable(
        `map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`,
      );
    }
    const idx = out.findIndex((o) => isObject(o) && deepEqual(o[key], item[key]));
    if (item.$patch === 'delete') {
      if (idx !== -1) out.splice(idx, 1);
      continue;
    }
    const merged = mergeMap(idx === -1 ? {} : (out[idx] as JsonObject), item, path);
    if (merged === DELETE) {
      if (idx !== -1) out.splice(idx, 1);
    } else if (idx === -1) out.push(merged);
    else out[idx] = merged;
  }
  return out;
}

function directiveList(patch: JsonObject, key: string, kind: string): JsonValue[] {
  const list = patch[key];
  if (!Array.isArray(list))
    throw badRequest(`invalid patch: ${kind} must be a list, got ${JSON.stringify(list)}`);
  return list;
}

function applyDeleteFromPrimitiveList(result: JsonObject, patch: JsonObject): void {
  for (const key of Object.keys(patch).filter((k) => k.startsWith(DELETE_FROM))) {
    const field = key.slice(DELETE_FROM.length);
    const remove = directiveList(patch, key, '$deleteFromPrimitiveList');
    const cur = result[field];
    if (Array.isArray(cur)) result[field] = cur.filter((v) => !remove.some((r) => deepEqual(r, v)));
  }
}

function applySetElementOrder(result: JsonObject, patch: JsonObject, path: string[]): void {
  for (const key of Object.keys(patch).filter((k) => k.startsWith(ORDER))) {
    const field = key.slice(ORDER.length);
    const order = directiveList(patch, key, '$setElementOrder');
    const cur = result[field];
    if (!Array.isArray(cur)) continue;
    const strategy = mergeStrategyFor([...path, field], [...cur, ...order]);
    const rank = (item: JsonValue): number =>
      order.findIndex((o) =>
        strategy.kind === 'keyed' && isObject(o) && isObject(item)
          ? deepEqual(o[strategy.key], item[strategy.key])
          : deepEqual(o, item),
      );
    const ranked = cur.map((item, i) => ({ item, i, r: rank(item) }));
    ranked.sort(
      (a, b) => (a.r === -1 ? Infinity : a.r) - (b.r === -1 ? Infinity : b.r) || a.i - b.i,
    );
    result[field] = ranked.map((x) => x.item);
  }
}

function applyRetainKeys(result: JsonObject, patch: JsonObject): void {
  if (patch.$retainKeys === undefined) return;
  const keep = directiveList(patch, '$retainKeys', '$retainKeys');
  if (!keep.every((k) => typeof k === 'string'))
    throw badRequest('invalid patch: $retainKeys must hold strings');
  for (const key of Object.keys(result)) if (!keep.includes(key)) delete result[key];
}

/** Applies a strategic merge patch to a copy of `target`. Throws 400/422 KubeErrors. */
export function strategicMergePatch(target: JsonValue, patch: JsonValue): JsonValue {
  if (!isObject(patch))
    throw badRequest('invalid patch: a strategic merge patch must be a JSON object');
  const merged = mergeMap(isObject(target) ? target : {}, patch, []);
  return merged === DELETE ? {} : merged;
}
