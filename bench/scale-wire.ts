// Just enough protobuf wire reading for the load driver: the top-level fields of a discovery
// response and the few nested fields it needs (cluster names, endpoint addresses), without
// decoding the whole message; the resources stay as byte views into the response.

export interface Field {
  no: number;
  /** Varint value (wire type 0). */
  n: number;
  /** Bytes (wire type 2), a view into the buffer. */
  b: Uint8Array | undefined;
}

function varint(buf: Uint8Array, pos: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (;;) {
    const byte = buf[pos++] ?? 0;
    v += (byte & 0x7f) * mul;
    if (byte < 0x80) return [v, pos];
    mul *= 128;
  }
}

/** Calls `fn` for every field of the message in `buf` (varint and length-delimited ones). */
export function eachField(buf: Uint8Array, fn: (f: Field) => void): void {
  let pos = 0;
  while (pos < buf.length) {
    const [tag, p] = varint(buf, pos);
    pos = p;
    const no = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) {
      const [n, q] = varint(buf, pos);
      pos = q;
      fn({ no, n, b: undefined });
    } else if (wire === 2) {
      const [len, q] = varint(buf, pos);
      fn({ no, n: 0, b: buf.subarray(q, q + len) });
      pos = q + len;
    } else if (wire === 5) pos += 4;
    else if (wire === 1) pos += 8;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

const text = new TextDecoder();

export function str(b: Uint8Array | undefined): string {
  return b ? text.decode(b) : '';
}

/** The bytes of the first field `no` (a nested message or string), if any. */
export function first(buf: Uint8Array, no: number): Uint8Array | undefined {
  let out: Uint8Array | undefined;
  eachField(buf, (f) => {
    if (out === undefined && f.no === no) out = f.b;
  });
  return out;
}

export function all(buf: Uint8Array, no: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  eachField(buf, (f) => {
    if (f.no === no && f.b) out.push(f.b);
  });
  return out;
}

export interface SotwResponse {
  version: string;
  typeUrl: string;
  nonce: string;
  /** The resources' Any messages, read on demand (`anyValue` reads each one's value). */
  resources: () => Uint8Array[];
}

/** Reads the small fields; skips over the resources (a length each) until they are asked for. */
export function sotwResponse(buf: Uint8Array): SotwResponse {
  const r: SotwResponse = { version: '', typeUrl: '', nonce: '', resources: () => all(buf, 2) };
  eachField(buf, (f) => {
    if (f.no === 1) r.version = str(f.b);
    else if (f.no === 4) r.typeUrl = str(f.b);
    else if (f.no === 5) r.nonce = str(f.b);
  });
  return r;
}

/** The value (the resource message) of an Any. */
export function anyValue(any: Uint8Array): Uint8Array {
  return first(any, 2) ?? new Uint8Array();
}

export interface DeltaResource {
  name: string;
  version: string;
  value: Uint8Array;
}

export interface DeltaResponse {
  version: string;
  typeUrl: string;
  nonce: string;
  resources: DeltaResource[];
  removed: string[];
}

function deltaResource(b: Uint8Array): DeltaResource {
  const r: DeltaResource = { name: '', version: '', value: new Uint8Array() };
  eachField(b, (f) => {
    if (f.no === 3) r.name = str(f.b);
    else if (f.no === 1) r.version = str(f.b);
    else if (f.no === 2 && f.b) r.value = first(f.b, 2) ?? r.value;
  });
  return r;
}

export function deltaResponse(buf: Uint8Array): DeltaResponse {
  const r: DeltaResponse = { version: '', typeUrl: '', nonce: '', resources: [], removed: [] };
  eachField(buf, (f) => {
    if (f.no === 1) r.version = str(f.b);
    else if (f.no === 2 && f.b) r.resources.push(deltaResource(f.b));
    else if (f.no === 4) r.typeUrl = str(f.b);
    else if (f.no === 5) r.nonce = str(f.b);
    else if (f.no === 6) r.removed.push(str(f.b));
  });
  return r;
}

/** Field 1 of a resource: the name of a Cluster, the cluster_name of a ClusterLoadAssignment. */
export function resourceName(value: Uint8Array): string {
  return str(first(value, 1));
}

/** The endpoint addresses of a ClusterLoadAssignment (endpoints.lb_endpoints.endpoint.address). */
export function claAddresses(value: Uint8Array): string[] {
  const out: string[] = [];
  for (const locality of all(value, 2)) {
    for (const lb of all(locality, 2)) {
      const endpoint = first(lb, 1);
      const address = endpoint && first(endpoint, 1);
      const socket = address && first(address, 1);
      if (socket) out.push(str(first(socket, 2)));
    }
  }
  return out;
}
