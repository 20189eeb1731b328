// Text shape checks behind PGV's string rules: RE2 `pattern`s run as JS RegExps, the
// well-known header regexes (strict and Envoy's `strict: false` form) and the hostname / IP /
// UUID formats.
import { isIP } from 'node:net';

const compiled = new Map<string, RegExp | null>();

/** Rewrites the RE2 spellings JS lacks: leading inline flags, (?P<name>, \A and \z. */
function translate(pattern: string): { source: string; flags: string } | null {
  let source = pattern;
  let flags = '';
  const inline = /^\(\?([a-zA-Z]+)\)/.exec(source);
  if (inline) {
    const wanted = inline[1] ?? '';
    if (!/^[ims]+$/.test(wanted)) return null;
    flags = wanted;
    source = source.slice(inline[0].length);
  }
  source = source
    .replace(/\(\?P</g, '(?<')
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '(?![\\s\\S])');
  return { source, flags };
}

/** The RE2 `pattern` as a RegExp (unanchored, like RE2's partial match); null if JS can't. */
export function compilePattern(pattern: string): RegExp | null {
  const hit = compiled.get(pattern);
  if (hit !== undefined) return hit;
  const t = translate(pattern);
  let re: RegExp | null = null;
  for (const extra of ['u', '']) {
    if (re || !t) break;
    try {
      re = new RegExp(t.source, t.flags + extra);
    } catch {
      re = null;
    }
  }
  compiled.set(pattern, re);
  return re;
}

// PGV's HTTP_HEADER_NAME (RFC 7230 token, optional leading ':' for pseudo-headers). The `+-.`
// is a range, as in PGV's own expression.
const HEADER_NAME = /^:?[0-9a-zA-Z!#$%&'*+-.^_|~`]+$/;

function noneOf(s: string, bad: (c: number) => boolean): boolean {
  for (let i = 0; i < s.length; i++) if (bad(s.charCodeAt(i))) return false;
  return true;
}

/** Non-strict form used for both kinds: no NUL, CR or LF. */
function looseHeader(s: string): boolean {
  return noneOf(s, (c) => c === 0 || c === 0x0a || c === 0x0d);
}

/** Strict header value: no control characters other than HTAB, no DEL. */
function strictValue(s: string): boolean {
  return noneOf(s, (c) => c <= 0x08 || (c >= 0x0a && c <= 0x1f) || c === 0x7f);
}

const KNOWN: Record<string, string> = { '1': 'HTTP_HEADER_NAME', '2': 'HTTP_HEADER_VALUE' };

/** Checks `s` against well_known_regex `which`; null when it matches, else the failure text. */
export function knownRegex(s: string, which: unknown, strict: boolean): string | null {
  const name = KNOWN[String(which)] ?? String(which);
  if (name === 'HTTP_HEADER_NAME') {
    const ok = strict ? HEADER_NAME.test(s) : looseHeader(s);
    return ok ? null : `not a valid HTTP header name${strict ? '' : ' (contains NUL, CR or LF)'}`;
  }
  if (name === 'HTTP_HEADER_VALUE') {
    const ok = strict ? strictValue(s) : looseHeader(s);
    return ok ? null : `not a valid HTTP header value${strict ? '' : ' (contains NUL, CR or LF)'}`;
  }
  return null;
}

const LABEL = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

export function isHostname(s: string): boolean {
  const name = s.endsWith('.') ? s.slice(0, -1) : s;
  if (name.length === 0 || name.length > 253) return false;
  return name.split('.').every((l) => LABEL.test(l));
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The PGV string formats this validator knows; null when `s` has the format. */
export function formatProblem(format: string, s: string): string | null {
  const ok: Record<string, () => boolean> = {
    ip: () => isIP(s) !== 0,
    ipv4: () => isIP(s) === 4,
    ipv6: () => isIP(s) === 6,
    hostname: () => isHostname(s),
    address: () => isIP(s) !== 0 || isHostname(s),
    uuid: () => UUID.test(s),
  };
  const test = ok[format];
  if (!test) return null;
  return test() ? null : `${JSON.stringify(s)} is not a valid ${format}`;
}
