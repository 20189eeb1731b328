// JSON merge patch, RFC 7386: objects merge recursively, null deletes, anything else replaces.
import { clone, isObject, type JsonObject, type JsonValue } from '../json.js';

export function mergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** The merge patch that turns `from` into `to` (objects only; used by tests and controllers). */
export function createMergePatch(from: JsonObject, to: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const key of Object.keys(from)) {
    if (from[key] !== undefined && to[key] === undefined) patch[key] = null;
  }
  for (const [key, value] of Object.entries(to)) {
    if (value === undefined) continue;
    const before = from[key];
    if (isObject(value) && isObject(before)) {
      const sub = createMergePatch(before, value);
      if (Object.keys(sub).length > 0) patch[key] = sub;
    } else if (JSON.stringify(before) !== JSON.stringify(value)) {
      patch[key] = clone(value);
    }
  }
  return patch;
}
