// JSON Patch, RFC 6902. An undecodable patch is a 400; an operation that does not apply is a 422,
// as in the apiserver's patch handler.
import { badRequest, unprocessable } from '../errors.js';
import { clone, deepEqual, isObject, type JsonValue } from '../json.js';

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: JsonValue;
  hasValue: boolean;
}

export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Splits a JSON pointer into unescaped tokens ("" is the whole document). */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/'))
    throw unprocessable(`JSON pointer must start with '/': "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function decode(body: unknown): Operation[] {
  if (!Array.isArray(body)) {
    throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  }
  return body.map((raw) => {
    if (!isObject(raw))
      throw badRequest('json: cannot unmarshal value into Go value of type jsonpatch.Operation');
    return {
      op: typeof raw.op === 'string' ? raw.op : '',
      path: typeof raw.path === 'string' ? raw.path : '',
      from: typeof raw.from === 'string' ? raw.from : undefined,
      value: raw.value,
      hasValue: 'value' in raw,
    };
  });
}

function fail(op: string, path: string, why: string): never {
  throw unprocessable(`${op} operation does not apply: doc is missing path: "${path}": ${why}`);
}

type Container = JsonValue[] | { [k: string]: JsonValue | undefined };

/** Resolves the parent container of a pointer and the final token. */
function locate(doc: JsonValue, tokens: string[], op: string, path: string): [Container, string] {
  let cur: JsonValue | undefined = doc;
  for (const token of tokens.slice(0, -1)) {
    cur = Array.isArray(cur)
      ? cur[arrayIndex(cur, token, false, op, path)]
      : isObject(cur)
        ? cur[token]
        : undefined;
    if (cur === undefined || cur === null || typeof cur !== 'object')
      fail(op, path, 'missing value');
  }
  if (cur === null || typeof cur !== 'object') fail(op, path, 'missing value');
  return [cur, tokens[tokens.length - 1]];
}

function arrayIndex(
  arr: JsonValue[],
  token: string,
  forInsert: boolean,
  op: string,
  path: string,
): number {
  if (forInsert && token === '-') return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(token)) fail(op, path, `invalid index "${token}"`);
  const idx = Number(token);
  if (idx > arr.length || (!forInsert && idx === arr.length)) fail(op, path, 'index out of range');
  return idx;
}

function getValue(doc: JsonValue, pointer: string, op: string): JsonValue {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return doc;
  const [parent, last] = locate(doc, tokens, op, pointer);
  const value = Array.isArray(parent)
    ? parent[arrayIndex(parent, last, false, op, pointer)]
    : parent[last];
  if (value === undefined) fail(op, pointer, 'missing value');
  return value;
}

function addValue(doc: JsonValue, pointer: string, value: JsonValue, op: string): JsonValue {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const [parent, last] = locate(doc, tokens, op, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, true, op, pointer), 0, value);
  else parent[last] = value;
  return doc;
}

function removeValue(doc: JsonValue, pointer: string, op: string): JsonValue {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) fail(op, pointer, 'cannot remove the whole document');
  const [parent, last] = locate(doc, tokens, op, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, false, op, pointer), 1);
  else if (parent[last] === undefined) fail(op, pointer, 'missing value');
  else delete parent[last];
  return doc;
}

function requireValue(o: Operation): JsonValue {
  if (!o.hasValue || o.value === undefined) fail(o.op, o.path, 'missing value field');
  return clone(o.value);
}

function applyOne(doc: JsonValue, o: Operation): JsonValue {
  switch (o.op) {
    case 'add':
      return addValue(doc, o.path, requireValue(o), 'add');
    case 'remove':
      return removeValue(doc, o.path, 'remove');
    case 'replace': {
      getValue(doc, o.path, 'replace');
      const without = parsePointer(o.path).length === 0 ? doc : removeValue(doc, o.path, 'replace');
      return addValue(without, o.path, requireValue(o), 'replace');
    }
    case 'move': {
      const from = o.from ?? fail('move', o.path, 'missing from');
      if (o.path.startsWith(`${from}/`)) fail('move', o.path, 'cannot move into a child');
      const value = getValue(doc, from, 'move');
      return addValue(removeValue(doc, from, 'move'), o.path, value, 'move');
    }
    case 'copy':
      return addValue(
        doc,
        o.path,
        clone(getValue(doc, o.from ?? fail('copy', o.path, 'missing from'), 'copy')),
        'copy',
      );
    case 'test':
      if (!deepEqual(getValue(doc, o.path, 'test'), o.value ?? null)) {
        throw unprocessable(`testing value ${o.path} failed: test failed`);
      }
      return doc;
    default:
      throw unprocessable(`Unexpected kind: ${o.op}`);
  }
}

/** Applies an RFC 6902 patch (the raw decoded body) to a copy of `doc`. */
export function applyJsonPatch(doc: JsonValue, body: unknown): JsonValue {
  const ops = decode(body);
  if (ops.length > 10000)
    throw badRequest('The allowed maximum operations in a JSON patch is 10000');
  return ops.reduce<JsonValue>((cur, o) => applyOne(cur, o), clone(doc));
}
