// Decoded Envoy resources in the form people read in Envoy's docs and config dumps (proto3 JSON
// conventions, snake_case names): enum names, durations as "5s", wrapper types unwrapped, Any
// unpacked with its "@type", 64-bit integers as numbers when they fit.
import protobuf from 'protobufjs';
import { lookupType } from '../xds/proto/load.js';
import { messageName } from '../xds/types.js';

const WRAPPERS = new Set(
  ['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes'].map(
    (w) => `.google.protobuf.${w}Value`,
  ),
);

interface LongLike {
  toNumber(): number;
  toString(): string;
}

function num(v: unknown): unknown {
  if (typeof v === 'object' && v !== null && 'toNumber' in v) {
    const long = v as LongLike;
    const n = long.toNumber();
    return Number.isSafeInteger(n) ? n : long.toString();
  }
  return v;
}

function duration(m: Record<string, unknown>): string {
  const s = Number(num(m.seconds) ?? 0);
  const ns = Number(m.nanos ?? 0);
  const total = s + ns / 1e9;
  return `${Number(total.toFixed(9))}s`;
}

function scalar(field: protobuf.Field, v: unknown): unknown {
  if (field.resolvedType instanceof protobuf.Enum) {
    const names = field.resolvedType.valuesById;
    return names[v as number] ?? v;
  }
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return num(v);
}

function value(field: protobuf.Field, v: unknown): unknown {
  const t = field.resolvedType;
  return t instanceof protobuf.Type ? message(t, v as protobuf.Message) : scalar(field, v);
}

function anyValue(m: Record<string, unknown>): unknown {
  const url = typeof m.type_url === 'string' ? m.type_url : '';
  try {
    const inner = lookupType(messageName(url));
    return { '@type': url, ...(message(inner, inner.decode(m.value as Uint8Array)) as object) };
  } catch {
    return { '@type': url, value: Buffer.from(m.value as Uint8Array).toString('base64') };
  }
}

function special(type: protobuf.Type, m: Record<string, unknown>): { hit: boolean; out?: unknown } {
  const name = type.fullName;
  if (name === '.google.protobuf.Duration') return { hit: true, out: duration(m) };
  if (WRAPPERS.has(name)) return { hit: true, out: value(type.fields.value, m.value) };
  if (name === '.google.protobuf.Any') return { hit: true, out: anyValue(m) };
  if (name === '.google.protobuf.Timestamp') {
    return { hit: true, out: new Date(Number(num(m.seconds) ?? 0) * 1000).toISOString() };
  }
  return { hit: false };
}

function message(type: protobuf.Type, msg: protobuf.Message): unknown {
  const m = msg as unknown as Record<string, unknown>;
  const sp = special(type, m);
  if (sp.hit) return sp.out;
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const v = m[field.name];
    if (v === undefined || v === null || !Object.prototype.hasOwnProperty.call(m, field.name))
      continue;
    if (field.repeated && Array.isArray(v)) {
      if (v.length > 0) out[field.name] = v.map((x) => value(field, x));
    } else if (field.map) {
      const entries = Object.entries(v as Record<string, unknown>).map(([k, x]) => [
        k,
        value(field, x),
      ]);
      if (entries.length > 0) out[field.name] = Object.fromEntries(entries);
    } else if (!field.repeated && Object.prototype.hasOwnProperty.call(m, field.name)) {
      out[field.name] = value(field, v);
    }
  }
  return out;
}

/** Decodes `bytes` of the resource type in `typeUrl` into a readable object. */
export function readableResource(typeUrl: string, bytes: Uint8Array): Record<string, unknown> {
  const type = lookupType(messageName(typeUrl));
  return message(type, type.decode(bytes)) as Record<string, unknown>;
}
