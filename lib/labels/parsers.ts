// Value parsers for label vocabulary entries. Each is total: any string in, a Validation out,
// never a throw. `accepts` is the human text used in error messages and the README table.
import { fail, ok, type Validation } from '../validation.js';

export interface Parser<T> {
  /** What the parser accepts, in words a user understands ("0-128", "true or false"). */
  accepts: string;
  parse: (raw: string) => Validation<T>;
}

const INT = /^-?\d{1,15}$/;

export function boolParser(): Parser<boolean> {
  return {
    accepts: 'true or false',
    parse: (raw) => {
      const v = raw.trim().toLowerCase();
      if (v === 'true') return ok(true);
      if (v === 'false') return ok(false);
      return fail('expected true or false');
    },
  };
}

export function intParser(min: number, max: number): Parser<number> {
  return {
    accepts: `an integer ${min}-${max}`,
    parse: (raw) => {
      const v = raw.trim();
      if (!INT.test(v)) return fail(`expected an integer ${min}-${max}`);
      const n = Number(v);
      if (n < min || n > max) return fail(`${n} is outside ${min}-${max}`);
      return ok(n);
    },
  };
}

/** Case-insensitive choice; the result is the canonical spelling from `values`. */
export function enumParser<const V extends string>(values: readonly V[]): Parser<V> {
  return {
    accepts: `one of ${values.join(', ')} (case-insensitive)`,
    parse: (raw) => {
      const v = raw.trim().toLowerCase();
      const hit = values.find((c) => c.toLowerCase() === v);
      return hit === undefined ? fail(`expected one of ${values.join(', ')}`) : ok(hit);
    },
  };
}

const DURATION = /^(\d{1,12})(ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds: a bare integer is milliseconds; `ms`, `s`, `m`, `h` suffixes are accepted. */
export function durationMsParser(minMs: number, maxMs: number): Parser<number> {
  const accepts = `milliseconds ${minMs}-${maxMs} (e.g. 3000, or 3s, 500ms, 1m)`;
  return {
    accepts,
    parse: (raw) => {
      const m = DURATION.exec(raw.trim());
      if (!m) return fail(`expected ${accepts}`);
      const ms = Number(m[1]) * (UNIT_MS[m[2] ?? 'ms'] ?? 1);
      if (ms < minMs || ms > maxMs) return fail(`${ms} ms is outside ${minMs}-${maxMs} ms`);
      return ok(ms);
    },
  };
}

const DECIMAL = /^\d{1,3}(\.\d{1,6})?$/;

/** A percentage 0-100 with up to six decimals (Envoy's FractionalPercent resolution). */
export function percentParser(): Parser<number> {
  return {
    accepts: 'a percentage 0-100 (decimals allowed)',
    parse: (raw) => {
      const v = raw.trim();
      if (!DECIMAL.test(v)) return fail('expected a percentage 0-100');
      const n = Number(v);
      if (n > 100) return fail(`${n} is above 100`);
      return ok(n);
    },
  };
}

/** A string matching `pattern`, at most `maxLength` characters. */
export function tokenParser(pattern: RegExp, accepts: string, maxLength = 253): Parser<string> {
  return {
    accepts,
    parse: (raw) => {
      const v = raw.trim();
      if (v.length === 0) return fail(`expected ${accepts}, got an empty value`);
      if (v.length > maxLength) return fail(`longer than ${maxLength} characters`);
      return pattern.test(v) ? ok(v) : fail(`expected ${accepts}`);
    },
  };
}

/** RFC 7230 token: what an HTTP header name or a cookie name may contain. */
export const HTTP_TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

const PRINTABLE = /^[\x20-\x7e]+$/;

/** Free text (printable ASCII), as an HTTP header value must be. */
export function textParser(maxLength: number): Parser<string> {
  return {
    accepts: `printable text up to ${maxLength} characters`,
    parse: (raw) => {
      if (raw.length === 0) return fail('expected a value, got an empty one');
      if (raw.length > maxLength) return fail(`longer than ${maxLength} characters`);
      return PRINTABLE.test(raw)
        ? ok(raw)
        : fail('contains characters that are not printable ASCII');
    },
  };
}

const SERVICE_REF = /^(\*|[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A comma-separated list of `name.namespace` or `*.namespace` entries. */
export function serviceListParser(): Parser<string[]> {
  const accepts = 'a comma-separated list of name.namespace or *.namespace';
  return {
    accepts,
    parse: (raw) => {
      const items = raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
      if (items.length === 0) return fail(`expected ${accepts}`);
      const bad = items.filter((s) => !SERVICE_REF.test(s));
      if (bad.length > 0) return fail(`not name.namespace: ${bad.slice(0, 5).join(', ')}`);
      return ok([...new Set(items)].sort());
    },
  };
}
