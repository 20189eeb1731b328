// Field selectors: parsing with apimachinery's escaping rules, and the selectable fields each
// resource supports (an unknown field is a 400 with the apiserver's wording).
import { asString, getIn, type JsonObject } from '../json.js';
import type { ResourceDef } from '../registry.js';
import { SelectorError } from './labels.js';

export interface FieldRequirement {
  field: string;
  op: 'eq' | 'neq';
  value: string;
}

/** Splits on unescaped `sep`, keeping escapes in the parts. */
function splitUnescaped(text: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && i + 1 < text.length) {
      cur += ch + text[i + 1];
      i += 1;
    } else if (ch === sep) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

export function escapeFieldValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/=/g, '\\=');
}

export function unescapeFieldValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch !== '\\') {
      if (ch === ',' || ch === '=')
        throw new SelectorError(`invalid field selector value: unescaped ${ch} in "${value}"`);
      out += ch;
      continue;
    }
    const next = value[i + 1];
    if (next !== '\\' && next !== ',' && next !== '=') {
      throw new SelectorError(
        `invalid field selector value: invalid escape sequence in "${value}"`,
      );
    }
    out += next;
    i += 1;
  }
  return out;
}

/** Index of the first unescaped occurrence of `needle`, or -1. */
function findOperator(term: string, needle: string): number {
  for (let i = 0; i + needle.length <= term.length; i++) {
    if (term[i] === '\\') {
      i += 1;
      continue;
    }
    if (term.startsWith(needle, i)) return i;
  }
  return -1;
}

function parseTerm(term: string): FieldRequirement {
  for (const [token, op] of [
    ['!=', 'neq'],
    ['==', 'eq'],
    ['=', 'eq'],
  ] as const) {
    const at = findOperator(term, token);
    if (at !== -1) {
      return {
        field: term.slice(0, at),
        op,
        value: unescapeFieldValue(term.slice(at + token.length)),
      };
    }
  }
  throw new SelectorError(`invalid selector: '${term}'; can't understand '${term}'`);
}

/** Parses a field selector; the empty string selects everything. Throws SelectorError. */
export function parseFieldSelector(text: string): FieldRequirement[] {
  if (text === '') return [];
  return splitUnescaped(text, ',')
    .filter((t) => t !== '')
    .map(parseTerm);
}

export function formatFieldSelector(reqs: readonly FieldRequirement[]): string {
  return reqs
    .map((r) => `${r.field}${r.op === 'eq' ? '=' : '!='}${escapeFieldValue(r.value)}`)
    .join(',');
}

type Getter = (obj: JsonObject) => string;

const at =
  (...path: string[]): Getter =>
  (obj) => {
    const v = getIn(obj, path);
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
      ? String(v)
      : '';
  };

const flag =
  (...path: string[]): Getter =>
  (obj) =>
    getIn(obj, path) === true ? 'true' : 'false';

const firstPodIP: Getter = (obj) => {
  const ips = getIn(obj, ['status', 'podIPs']);
  const first = Array.isArray(ips) ? asString(getIn(ips[0], ['ip'])) : undefined;
  return first ?? asString(getIn(obj, ['status', 'podIP'])) ?? '';
};

const EXTRA_FIELDS: Record<string, Record<string, Getter>> = {
  '/pods': {
    'spec.nodeName': at('spec', 'nodeName'),
    'spec.restartPolicy': at('spec', 'restartPolicy'),
    'spec.schedulerName': at('spec', 'schedulerName'),
    'spec.serviceAccountName': at('spec', 'serviceAccountName'),
    'spec.hostNetwork': flag('spec', 'hostNetwork'),
    'status.phase': at('status', 'phase'),
    'status.podIP': firstPodIP,
    'status.podIPs': firstPodIP,
    'status.nominatedNodeName': at('status', 'nominatedNodeName'),
  },
  '/events': {
    'involvedObject.kind': at('involvedObject', 'kind'),
    'involvedObject.namespace': at('involvedObject', 'namespace'),
    'involvedObject.name': at('involvedObject', 'name'),
    'involvedObject.uid': at('involvedObject', 'uid'),
    'involvedObject.apiVersion': at('involvedObject', 'apiVersion'),
    'involvedObject.resourceVersion': at('involvedObject', 'resourceVersion'),
    'involvedObject.fieldPath': at('involvedObject', 'fieldPath'),
    reason: at('reason'),
    reportingComponent: at('reportingComponent'),
    source: at('source', 'component'),
    type: at('type'),
  },
  '/secrets': { type: at('type') },
  '/nodes': { 'spec.unschedulable': flag('spec', 'unschedulable') },
  '/namespaces': { 'status.phase': at('status', 'phase') },
  '/services': { 'spec.clusterIP': at('spec', 'clusterIP'), 'spec.type': at('spec', 'type') },
  'apps/replicasets': { 'status.replicas': (o) => at('status', 'replicas')(o) || '0' },
};

const COMMON: Record<string, Getter> = {
  'metadata.name': at('metadata', 'name'),
  'metadata.namespace': at('metadata', 'namespace'),
};

/** The getter for a selectable field, or a SelectorError worded like the apiserver's. */
export function fieldGetter(res: ResourceDef, field: string): Getter {
  const extra = EXTRA_FIELDS[res.key];
  const getter = COMMON[field] ?? extra?.[field];
  if (getter) return getter;
  if (extra) throw new SelectorError(`field label not supported: ${field}`);
  throw new SelectorError(
    `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
  );
}

export function selectableFields(res: ResourceDef): string[] {
  return [...Object.keys(COMMON), ...Object.keys(EXTRA_FIELDS[res.key] ?? {})];
}

/** Compiles requirements into a predicate; throws SelectorError for unknown fields. */
export function compileFieldSelector(
  res: ResourceDef,
  reqs: readonly FieldRequirement[],
): (obj: JsonObject) => boolean {
  const checks = reqs.map((r) => ({ get: fieldGetter(res, r.field), ...r }));
  return (obj) => checks.every((c) => (c.get(obj) === c.value) === (c.op === 'eq'));
}
