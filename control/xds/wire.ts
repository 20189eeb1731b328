// The few length-delimited protobuf fields that frame pre-encoded resources in a response
// (version, type URL, nonce, removed names, the control plane), written directly: building a
// protobufjs message for them cost more per response than the response's own bytes. Fields go
// in the order given, which callers keep in field-number order as protobufjs writes them.

/** A field: number and value (a string as UTF-8, or bytes as they are). */
export type Field = readonly [number, string | Uint8Array];

function varintSize(n: number): number {
  let size = 1;
  for (let v = n; v >= 0x80; v >>>= 7) size++;
  return size;
}

function writeVarint(buf: Buffer, offset: number, n: number): number {
  let off = offset;
  let v = n;
  while (v >= 0x80) {
    buf[off++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[off++] = v;
  return off;
}

const byteLength = (v: string | Uint8Array): number =>
  typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length;

/** Encodes `fields` as length-delimited (wire type 2) fields, in order. */
export function lengthDelimited(fields: readonly Field[]): Buffer {
  let size = 0;
  const lengths = fields.map(([number, value]) => {
    const len = byteLength(value);
    size += varintSize((number << 3) | 2) + varintSize(len) + len;
    return len;
  });
  const buf = Buffer.allocUnsafe(size);
  let off = 0;
  fields.forEach(([number, value], i) => {
    off = writeVarint(buf, off, (number << 3) | 2);
    off = writeVarint(buf, off, lengths[i] ?? 0);
    if (typeof value === 'string') off += buf.write(value, off, 'utf8');
    else {
      buf.set(value, off);
      off += value.length;
    }
  });
  return buf;
}
