// Reading plain-object resource values the way protobufjs's fromObject would: 64-bit integers
// as numbers, decimal strings or Long-like {low, high}; bytes as base64 strings or Uint8Array;
// Duration and Timestamp as {seconds, nanos}. Every reader returns undefined rather than throw.

export type Dict = Record<string, unknown>;

export function isRecord(v: unknown): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** A short, safe description of a value for messages. */
export function show(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v instanceof Uint8Array) return `bytes(${v.length})`;
  if (Array.isArray(v)) return `array(${v.length})`;
  if (isRecord(v)) return 'object';
  return String(v);
}

export function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

export function where(path: string): string {
  return path || '(root)';
}

function longLike(v: Dict): bigint | undefined {
  const { low, high, unsigned } = v;
  if (typeof low !== 'number' || typeof high !== 'number') return undefined;
  const lo = BigInt(low >>> 0);
  const hi = unsigned === true ? BigInt(high >>> 0) : BigInt(high | 0);
  return (hi << 32n) + lo;
}

/** An integer value (safe integer number, decimal string or Long), or undefined. */
export function toBigInt(v: unknown): bigint | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : undefined;
  if (typeof v === 'string') return /^-?\d{1,20}$/.test(v) ? BigInt(v) : undefined;
  if (isRecord(v)) return longLike(v);
  return undefined;
}

/** A floating point value; protobufjs also accepts integers given as 64-bit forms. */
export function toFloat(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  const i = toBigInt(v);
  return i === undefined ? undefined : Number(i);
}

const MAX_SECONDS = 315_576_000_000n;

/** A Duration or Timestamp `{seconds, nanos}` as total nanoseconds, or an error text. */
export function toNanos(v: unknown): bigint | string {
  if (!isRecord(v)) return `expected {seconds, nanos}, got ${show(v)}`;
  const extra = Object.keys(v).filter((k) => k !== 'seconds' && k !== 'nanos');
  if (extra.length > 0) return `unknown field ${extra.sort().join(', ')} in {seconds, nanos}`;
  const seconds = v.seconds === undefined ? 0n : toBigInt(v.seconds);
  const nanos = v.nanos === undefined ? 0 : v.nanos;
  if (seconds === undefined) return `seconds is not an integer: ${show(v.seconds)}`;
  if (typeof nanos !== 'number' || !Number.isInteger(nanos) || Math.abs(nanos) > 999_999_999) {
    return `nanos must be an integer within ±999999999, got ${show(nanos)}`;
  }
  if (seconds > MAX_SECONDS || seconds < -MAX_SECONDS) return `seconds out of range: ${seconds}`;
  if ((seconds > 0n && nanos < 0) || (seconds < 0n && nanos > 0)) {
    return 'seconds and nanos must have the same sign';
  }
  return seconds * 1_000_000_000n + BigInt(nanos);
}

export function showNanos(n: bigint): string {
  const sign = n < 0n ? '-' : '';
  const a = n < 0n ? -n : n;
  const frac = (a % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${sign}${a / 1_000_000_000n}${frac ? `.${frac}` : ''}s`;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/** Bytes from a Uint8Array or a base64 string (what protobufjs's fromObject accepts). */
export function toBytes(v: unknown): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string' && BASE64.test(v)) return Buffer.from(v, 'base64');
  return undefined;
}

/** Code points in a string (PGV's "characters"). */
export function runeCount(s: string): number {
  return Array.from(s).length;
}

export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** A rule value that may be a single item or a list (protobufjs keeps one-item lists bare). */
export function asList(v: unknown): unknown[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** A key that is equal for equal plain values, whatever the key order of objects. */
export function stableKey(v: unknown): string {
  if (typeof v === 'bigint') return `n:${v}`;
  if (v instanceof Uint8Array) return `b:${Buffer.from(v).toString('base64')}`;
  if (Array.isArray(v)) return `[${v.map(stableKey).join(',')}]`;
  if (isRecord(v)) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableKey(v[k])}`).join(',')}}`;
  }
  return `${typeof v}:${String(v)}`;
}
