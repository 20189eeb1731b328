// Envoy repeats every subscribed name in each SotW request, ACKs included: with 1,000 proxies
// that each hold 2,000 clusters, decoding those names is most of what an ACK costs. The names
// (field 3 of DiscoveryRequest, written contiguously by every encoder) are sliced out as raw
// bytes; a list seen before is returned as the same frozen array without decoding it again, and
// the rest of the message is decoded as usual.
import protobuf from 'protobufjs';

const RESOURCE_NAMES = 3;
const LENGTH_DELIMITED = 2;
const REMEMBERED = 256;

/** Raw bytes of a name list → the decoded names (insertion order is use order: an LRU). */
const lists = new Map<string, readonly string[]>();

interface Region {
  start: number;
  end: number;
}

/** Where the resource_names entries are, if they are contiguous; undefined if absent or not. */
export function namesRegion(buf: Uint8Array): Region | undefined | 'scattered' {
  const r = protobuf.Reader.create(buf);
  let region: Region | undefined;
  while (r.pos < r.len) {
    const at = r.pos;
    const tag = r.uint32();
    r.skipType(tag & 7);
    if (tag >>> 3 !== RESOURCE_NAMES || (tag & 7) !== LENGTH_DELIMITED) continue;
    if (region && region.end !== at) return 'scattered';
    region = { start: region?.start ?? at, end: r.pos };
  }
  return region;
}

function decodeNames(bytes: Uint8Array): readonly string[] {
  const r = protobuf.Reader.create(bytes);
  const out: string[] = [];
  while (r.pos < r.len) {
    r.uint32();
    out.push(r.string());
  }
  return Object.freeze(out);
}

/** The names in `bytes` (a region of field-3 entries), shared with earlier identical lists. */
export function namesOf(bytes: Buffer): readonly string[] {
  const key = bytes.toString('latin1');
  let hit = lists.get(key);
  if (hit) lists.delete(key);
  else hit = decodeNames(bytes);
  lists.set(key, hit);
  if (lists.size > REMEMBERED) lists.delete(lists.keys().next().value ?? '');
  return hit;
}

/**
 * Decodes a DiscoveryRequest with `decode` for everything but the names, which come from
 * namesOf; falls back to `decode` alone when the names are not one contiguous run.
 */
export function decodeWithSharedNames(
  buf: Buffer,
  decode: (b: Buffer) => Record<string, unknown>,
): Record<string, unknown> {
  const region = namesRegion(buf);
  if (region === undefined || region === 'scattered') return decode(buf);
  const rest = Buffer.concat([buf.subarray(0, region.start), buf.subarray(region.end)]);
  const msg = decode(rest);
  msg.resource_names = namesOf(buf.subarray(region.start, region.end));
  return msg;
}
