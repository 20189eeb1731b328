// protobufjs's fromObject silently drops keys it does not know and turns mistyped values into
// zeros, so a misspelt field or a `{value}` where a plain number belongs would vanish without a
// trace. This walk rejects unknown field names, objects given to scalars, scalars given to
// messages and unknown enum names (through messages, repeated fields, maps and Any).
import protobuf from 'protobufjs';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function anyTarget(root: protobuf.Root, value: Record<string, unknown>): protobuf.Type | null {
  const url = value['@type'];
  if (typeof url !== 'string') return null;
  return root.lookupType(url.slice(url.lastIndexOf('/') + 1));
}

/** A scalar or enum field given the wrong kind of value (protobufjs would turn it into 0). */
function scalarMismatch(field: protobuf.Field, item: unknown, path: string): string | null {
  const t = field.resolvedType;
  if (t instanceof protobuf.Enum) {
    if (typeof item === 'string' && !(item in t.values))
      return `${path}: "${item}" is not a value of ${t.name}`;
    if (typeof item === 'string' || typeof item === 'number') return null;
    return `${path}: enum ${t.name} expects a name or number`;
  }
  if (isRecord(item)) return `${path}: ${field.type} expects a scalar, not an object`;
  return null;
}

function itemsOf(field: protobuf.Field, value: unknown): unknown[] {
  if (field.repeated && Array.isArray(value)) return value;
  if (field.map && isRecord(value)) return Object.values(value);
  return [value];
}

function checkValue(field: protobuf.Field, value: unknown, path: string): string | null {
  const t = field.resolvedType;
  const items = itemsOf(field, value);
  for (const [i, item] of items.entries()) {
    const here = items.length > 1 ? `${path}[${i}]` : path;
    if (!(t instanceof protobuf.Type)) {
      const err = scalarMismatch(field, item, here);
      if (err) return err;
      continue;
    }
    if (!isRecord(item)) return `${here}: ${t.fullName.slice(1)} expects an object`;
    const err = unknownField(t, item, here);
    if (err) return err;
  }
  return null;
}

/** The first unknown field path in `obj` read as `type`, or null when every key is a field. */
export function unknownField(
  type: protobuf.Type,
  obj: Record<string, unknown>,
  path = '',
): string | null {
  let target = type;
  if (type.fullName === '.google.protobuf.Any' && '@type' in obj) {
    const inner = anyTarget(type.root, obj);
    if (!inner) return `${path}: unknown Any type ${String(obj['@type'])}`;
    target = inner;
  }
  for (const [key, value] of Object.entries(obj)) {
    if (key === '@type' || value === undefined) continue;
    const field = target.fields[key];
    const here = path ? `${path}.${key}` : key;
    if (!field) return `${here}: no such field in ${target.fullName.slice(1)}`;
    const err = checkValue(field, value, here);
    if (err) return err;
  }
  return null;
}
