// The whole vocabulary and the operations over it: find the declaration of a key, and parse all
// traffic.* labels of one object into typed values plus the issues to report to the user.
import { keyMatcher, matchKey, type LabelDecl, type ObjectKind } from './decl.js';
import * as core from './vocabulary.js';
import * as res from './resilience.js';

export const PREFIX = 'traffic.';

export const VOCABULARY: readonly LabelDecl[] = [
  core.ENVOY_ENABLED,
  core.PORT_PROTOCOL,
  core.LB_POLICY,
  core.HASH_COOKIE_NAME,
  core.HASH_COOKIE_TTL,
  core.HASH_HEADER_NAME,
  core.ENDPOINT_WEIGHT,
  core.VERSION_WEIGHT,
  res.FAULT_DELAY_TIME,
  res.FAULT_DELAY_PERCENTAGE,
  res.FAULT_ABORT_STATUS,
  res.FAULT_ABORT_PERCENTAGE,
  res.RATE_LIMIT,
  res.TRACING_ENABLED,
  res.TRACING_SAMPLING,
  res.RETRIES_MAX,
  res.RETRIES_5XX,
  res.RETRIES_CONNECT_FAILURE,
  res.RETRIES_GATEWAY_ERROR,
  res.REQUEST_TIMEOUT,
  res.CONNECTION_TIMEOUT,
  res.CONNECTION_MAX,
  res.REQUEST_MAX_PENDING,
  res.REQUEST_MAX,
];

const MATCHERS = VOCABULARY.map((d) => ({ decl: d, matcher: keyMatcher(d.name) }));

export interface KeyHit {
  decl: LabelDecl;
  params: Record<string, string>;
}

export function findLabel(key: string): KeyHit | undefined {
  for (const { decl, matcher } of MATCHERS) {
    const params = matchKey(matcher, key);
    if (params) return { decl, params };
  }
  return undefined;
}

export interface ParsedLabel extends KeyHit {
  key: string;
  value: unknown;
}

/** A label the user set that cannot be used, and why; becomes an Event, a log line, a metric. */
export interface LabelIssue {
  key: string;
  value: string;
  message: string;
}

export interface ParsedLabels {
  labels: ParsedLabel[];
  issues: LabelIssue[];
}

function parseOne(kind: ObjectKind, key: string, raw: string): ParsedLabel | LabelIssue {
  const hit = findLabel(key);
  if (!hit) return { key, value: raw, message: `unknown traffic label ${key}` };
  if (!hit.decl.appliesTo.includes(kind)) {
    const where = hit.decl.appliesTo.join(', ');
    return { key, value: raw, message: `${key} applies to ${where}, not to a ${kind}` };
  }
  const v = hit.decl.parser.parse(raw);
  if (!v.valid) {
    const shown = raw.length > 64 ? `${raw.slice(0, 64)}…` : raw;
    const message = `invalid value "${shown}" for ${key}: ${v.errors.join('; ')} (accepted: ${hit.decl.parser.accepts}); using the default`;
    return { key, value: raw, message };
  }
  return { ...hit, key, value: v.result };
}

/** Parses every traffic.* entry of `labels`; other keys are ignored. Never throws. */
export function parseTrafficLabels(
  kind: ObjectKind,
  labels: Readonly<Record<string, string>> | undefined,
): ParsedLabels {
  const out: ParsedLabels = { labels: [], issues: [] };
  for (const key of Object.keys(labels ?? {}).sort()) {
    if (!key.startsWith(PREFIX)) continue;
    const r = parseOne(kind, key, labels?.[key] ?? '');
    if ('message' in r) out.issues.push(r);
    else out.labels.push(r);
  }
  return out;
}

/** The typed value of a non-parameterised label, or its default. */
export function valueOf<T>(parsed: ParsedLabels, decl: LabelDecl<T>): T | undefined {
  const hit = parsed.labels.find((l) => l.decl === decl);
  return hit ? (hit.value as T) : decl.default;
}
