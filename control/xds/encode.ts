// Encoding resources once. A resource object (proto3 JSON-like, snake_case, nested Any as
// `{'@type': url, ...fields}`) is encoded with Envoy's proto the first time it is seen; the
// bytes and their content hash are reused by every snapshot and every stream that holds the
// same object. Translation shares objects between proxies, so a cluster that 1000 proxies
// receive is encoded once.
import { createHash } from 'node:crypto';
import { lookupType } from './proto/load.js';
import { unknownField } from './strict.js';
import { TYPE, messageName, type TypeUrl } from './types.js';

export interface EncodedResource {
  name: string;
  typeUrl: TypeUrl;
  /** The resource message bytes (the `value` of its Any). */
  bytes: Uint8Array;
  /** Content hash of `bytes`; the per-resource version in delta xDS. */
  hash: string;
  /** The object it was encoded from; read by the consistency check, never mutated. */
  source: object;
  /**
   * Sent only to clients that name it, never to wildcard subscribers: api_listeners are for
   * proxyless gRPC clients (which name them); Envoy takes them only from its bootstrap.
   */
  namedOnly: boolean;
}

const cache = new WeakMap<object, EncodedResource>();

export function contentHash(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('base64url').slice(0, 16);
}

export class EncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncodeError';
  }
}

/** Encodes `obj` as `typeUrl`; throws EncodeError naming the resource if the proto rejects it. */
export function encodeResource(typeUrl: TypeUrl, name: string, obj: object): EncodedResource {
  const hit = cache.get(obj);
  if (hit && hit.typeUrl === typeUrl && hit.name === name) return hit;
  const type = lookupType(messageName(typeUrl));
  const problem = unknownField(type, obj as Record<string, unknown>);
  if (problem) throw new EncodeError(`${messageName(typeUrl)} ${name}: ${problem}`);
  let bytes: Uint8Array;
  try {
    bytes = type.encode(type.fromObject(obj)).finish();
  } catch (err) {
    throw new EncodeError(
      `${messageName(typeUrl)} ${name}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const namedOnly = typeUrl === TYPE.listener && 'api_listener' in obj;
  const res: EncodedResource = {
    name,
    typeUrl,
    bytes,
    hash: contentHash(bytes),
    source: obj,
    namedOnly,
  };
  cache.set(obj, res);
  return res;
}

/** Options for turning bytes back into readable objects: enum names, Any unpacked. */
export const READABLE = {
  enums: String,
  longs: String,
  bytes: String,
  json: true,
  defaults: false,
  oneofs: false,
} as const;

export function decodeResource(typeUrl: string, bytes: Uint8Array): Record<string, unknown> {
  const type = lookupType(messageName(typeUrl));
  return type.toObject(type.decode(bytes), READABLE);
}
