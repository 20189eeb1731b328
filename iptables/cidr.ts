// Our own IPv4/IPv6 address and CIDR parser. Strict on input (no octal-looking octets, no zone
// ids, no hostnames) and canonical on output: host bits are masked off, bare addresses get /32 or
// /128, and IPv6 is printed exactly the way iptables-save prints it (glibc inet_ntop: the longest
// run of two or more zero groups becomes "::", the leftmost on a tie, and addresses whose first
// 96 bits are zero or that are IPv4-mapped end in dotted quad). One canonical form means the
// builder's text and iptables-save's output can be compared byte for byte.
import { fail, ok, type Validation } from '../lib/validation.js';

export type Family = 'ipv4' | 'ipv6';

/** A normalised CIDR: `bits` holds the address (4 bytes or 8 16-bit groups) with host bits zero. */
export interface Cidr {
  family: Family;
  bits: number[];
  prefix: number;
  text: string;
}

const OCTET = /^(0|[1-9]\d{0,2})$/;
const GROUP = /^[0-9a-fA-F]{1,4}$/;
const PREFIX = /^(0|[1-9]\d{0,2})$/;

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  const bytes = parts.map(Number);
  return bytes.every((b) => b <= 255) ? bytes : undefined;
}

function parseGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const last = parts[parts.length - 1] ?? '';
  const tail: number[] = [];
  if (last.includes('.')) {
    const v4 = parseIpv4(last);
    if (!v4) return undefined;
    tail.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
    parts.pop();
  }
  if (!parts.every((p) => GROUP.test(p))) return undefined;
  return [...parts.map((p) => parseInt(p, 16)), ...tail];
}

function parseIpv6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const [headText = '', tailText] = halves;
  if (tailText === undefined) {
    const all = parseGroups(headText);
    return all && all.length === 8 ? all : undefined;
  }
  const head = parseGroups(headText);
  const tail = parseGroups(tailText);
  // An embedded IPv4 address is only allowed at the very end.
  if (!head || !tail || headText.includes('.')) return undefined;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

function longestZeroRun(words: number[]): { base: number; len: number } {
  let best = { base: -1, len: 0 };
  let cur = { base: -1, len: 0 };
  words.forEach((w, i) => {
    if (w !== 0) {
      cur = { base: -1, len: 0 };
      return;
    }
    cur = cur.base === -1 ? { base: i, len: 1 } : { base: cur.base, len: cur.len + 1 };
    if (cur.len > best.len) best = cur;
  });
  return best.len < 2 ? { base: -1, len: 0 } : best;
}

/** IPv4-compatible (first 96 bits zero) or IPv4-mapped (::ffff:a.b.c.d) addresses. */
function endsInIpv4(words: number[], run: { base: number; len: number }): boolean {
  return run.base === 0 && (run.len === 6 || (run.len === 5 && words[5] === 0xffff));
}

/** IPv6 text exactly as glibc's inet_ntop (and so iptables-save) prints it. */
export function formatIpv6(words: number[]): string {
  const run = longestZeroRun(words);
  const embedsIpv4 = endsInIpv4(words, run);
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (run.len > 0 && i >= run.base && i < run.base + run.len) {
      if (i === run.base) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && embedsIpv4) {
      const [a = 0, b = 0] = words.slice(6);
      return `${out}${a >> 8}.${a & 0xff}.${b >> 8}.${b & 0xff}`;
    }
    out += hex(words[i]);
  }
  return run.len > 0 && run.base + run.len === 8 ? `${out}:` : out;
}

function hex(w: number | undefined): string {
  return (w ?? 0).toString(16);
}

function mask(bits: number[], width: number, prefix: number): number[] {
  return bits.map((v, i) => {
    const keep = Math.min(width, Math.max(0, prefix - i * width));
    return keep === 0 ? 0 : v & (((1 << width) - 1) ^ ((1 << (width - keep)) - 1));
  });
}

function render(family: Family, bits: number[], prefix: number): string {
  return family === 'ipv4' ? `${bits.join('.')}/${prefix}` : `${formatIpv6(bits)}/${prefix}`;
}

/** Parses `addr` or `addr/prefix` (IPv4 or IPv6) into its canonical network form. */
export function parseCidr(raw: string): Validation<Cidr> {
  const [addr = '', prefixText, extra] = raw.split('/');
  if (extra !== undefined) return fail(`"${raw}" is not a CIDR`);
  const family: Family = addr.includes(':') ? 'ipv6' : 'ipv4';
  const words = family === 'ipv4' ? parseIpv4(addr) : parseIpv6(addr);
  if (!words) return fail(`"${raw}" is not an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address`);
  const max = family === 'ipv4' ? 32 : 128;
  if (prefixText !== undefined && !PREFIX.test(prefixText)) {
    return fail(`"${raw}" has an invalid prefix length`);
  }
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return fail(`"${raw}" has a prefix longer than /${max}`);
  const bits = mask(words, family === 'ipv4' ? 8 : 16, prefix);
  return ok({ family, bits, prefix, text: render(family, bits, prefix) });
}

/** The family of a CIDR string this module produced (or of any parseable one). */
export function familyOf(cidr: string): Family {
  return cidr.includes(':') ? 'ipv6' : 'ipv4';
}
