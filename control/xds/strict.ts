// protobufjs's fromObject silently drops keys it does not know, so a misspelt field in a
// translated resource would vanish without a trace. This walk rejects unknown field names
// (recursing through messages, repeated fields, maps and Any) before anything is encoded.
import protobuf from 'protobufjs';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function anyTarget(root: protobuf.Root, value: Record<string, unknown>): protobuf.Type | null {
  const url = value['@type'];
  if (typeof url !== 'string') return null;
  return root.lookupType(url.slice(url.lastIndexOf('/') + 1));
}

function checkValue(field: protobuf.Field, value: unknown, path: string): string | null {
  const t = field.resolvedType;
  if (!(t instanceof protobuf.Type)) return null;
  const items =
    field.repeated && Array.isArray(value)
      ? value
      : field.map && isRecord(value)
        ? Object.values(value)
        : [value];
  for (const [i, item] of items.entries()) {
    if (!isRecord(item)) continue;
    const err = unknownField(t, item, items.length > 1 ? `${path}[${i}]` : path);
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
