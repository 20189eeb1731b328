// Comma-separated lists of ports and CIDRs (pod annotations, CLI flags) and the checks shared by
// every numeric option. Lists come back normalised: ports sorted and deduplicated, CIDRs masked,
// in canonical text, first occurrence kept.
import { fail, ok, type Validation } from '../lib/validation.js';
import { parseCidr } from './cidr.js';

/** More items than this in one list are refused (each becomes a rule or part of one). */
export const MAX_LIST_ITEMS = 512;
/** uids and gids accepted for the owner match. */
export const MAX_ID = 2 ** 31;

const PORT_TEXT = /^[1-9]\d{0,4}$/;

export function isPort(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
}

export function isId(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= MAX_ID;
}

function splitItems(text: string): Validation<string[]> {
  if (typeof text !== 'string') return fail('not a string');
  if (text.trim() === '') return ok([]);
  const items = text.split(',').map((s) => s.trim());
  const empty = items.findIndex((s) => s === '');
  if (empty >= 0) return fail(`item ${empty + 1} is empty`);
  if (items.length > MAX_LIST_ITEMS) return fail(`too many items (max ${MAX_LIST_ITEMS})`);
  return ok(items);
}

function collect<T>(items: unknown[], check: (item: unknown) => Validation<T>): Validation<T[]> {
  if (items.length > MAX_LIST_ITEMS) return fail(`too many items (max ${MAX_LIST_ITEMS})`);
  const errors: string[] = [];
  const out: T[] = [];
  for (const item of items) {
    const v = check(item);
    if (v.valid) out.push(v.result);
    else errors.push(...v.errors);
  }
  return errors.length > 0 ? fail(...errors) : ok(out);
}

function checkPort(item: unknown): Validation<number> {
  const n = typeof item === 'string' && PORT_TEXT.test(item) ? Number(item) : item;
  return isPort(n) ? ok(n) : fail(`${JSON.stringify(item)} is not a port (1-65535)`);
}

function checkCidr(item: unknown, allowWildcard: boolean): Validation<string> {
  if (typeof item !== 'string') return fail(`${JSON.stringify(item)} is not a CIDR`);
  if (item === '*') return allowWildcard ? ok('*') : fail('"*" is only allowed in include lists');
  const v = parseCidr(item);
  return v.valid ? ok(v.result.text) : v;
}

/** Ports as numbers, sorted, without duplicates. */
export function normalisePorts(items: unknown[]): Validation<number[]> {
  const v = collect(items, checkPort);
  return v.valid ? ok([...new Set(v.result)].sort((a, b) => a - b)) : v;
}

/** CIDRs in canonical text, first occurrence kept; '*' only alone and only when allowed. */
export function normaliseCidrs(items: unknown[], allowWildcard: boolean): Validation<string[]> {
  const v = collect(items, (item) => checkCidr(item, allowWildcard));
  if (!v.valid) return v;
  const unique = [...new Set(v.result)];
  if (unique.includes('*') && unique.length > 1) return fail('"*" cannot be combined with CIDRs');
  return ok(unique);
}

/** "80,443, 8080" → [80, 443, 8080]; an empty text is an empty list. */
export function parsePortList(text: string): Validation<number[]> {
  const items = splitItems(text);
  return items.valid ? normalisePorts(items.result) : items;
}

/**
 * "10.0.0.0/8,fd00::/8" → canonical CIDRs (bare addresses become /32 or /128). '*' (everything)
 * is accepted unless `allowWildcard` is false; it is only meaningful for include lists, and
 * validateCaptureOptions refuses it in excludeOutboundCidrs.
 */
export function parseCidrList(
  text: string,
  opts: { allowWildcard?: boolean } = {},
): Validation<string[]> {
  const items = splitItems(text);
  return items.valid ? normaliseCidrs(items.result, opts.allowWildcard ?? true) : items;
}
