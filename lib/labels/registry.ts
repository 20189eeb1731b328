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
  core.VERSION_HEADER,
  core.EGRESS_SERVICES,
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
    const why = v.errors.join('; ');
    const accepts = why.includes(hit.decl.parser.accepts)
      ? ''
      : ` (accepted: ${hit.decl.parser.accepts})`;
    const message = `invalid value "${shown}" for ${key}: ${why}${accepts}; using the default`;
    return { key, value: raw, message };
  }
  return { ...hit, key, value: v.result };
}

type Source = Readonly<Record<string, string>> | undefined;

interface Entry {
  raw: string;
  /** Set when the key is a label but its declaration is read from annotations. */
  misplaced?: boolean;
}

/** The raw entries to parse: labels, plus annotations for declarations read from annotations. */
function entries(labels: Source, annotations: Source): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (!k.startsWith(PREFIX)) continue;
    out.set(k, { raw: v, misplaced: findLabel(k)?.decl.via === 'annotation' });
  }
  for (const [k, v] of Object.entries(annotations ?? {})) {
    if (!k.startsWith(PREFIX) || out.has(k)) continue;
    const via = findLabel(k)?.decl.via;
    if (via === 'annotation' || via === 'either') out.set(k, { raw: v });
  }
  return out;
}

/**
 * Parses every traffic.* label of an object (and the annotations of declarations read from
 * annotations); other keys are ignored. Unknown traffic.* labels are issues (likely typos);
 * unknown traffic.* annotations are not (other tools write some). Never throws.
 */
export function parseTrafficLabels(
  kind: ObjectKind,
  labels: Source,
  annotations?: Source,
): ParsedLabels {
  const out: ParsedLabels = { labels: [], issues: [] };
  const all = entries(labels, annotations);
  for (const key of [...all.keys()].sort()) {
    const e = all.get(key) ?? { raw: '' };
    const r = e.misplaced
      ? {
          key,
          value: e.raw,
          message: `${key} is read from an annotation, not a label: kubectl annotate ... ${key}=...`,
        }
      : parseOne(kind, key, e.raw);
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
