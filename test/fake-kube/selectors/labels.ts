// Label selectors: the grammar of apimachinery's labels.Parse (=, ==, !=, in, notin, exists,
// !exists, gt, lt), matching, and a canonical formatter (format(parse(s)) parses back the same).

export type LabelOperator = 'eq' | 'neq' | 'in' | 'notin' | 'exists' | 'notexists' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  op: LabelOperator;
  values: string[];
}

export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function isValidLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (slash !== -1) {
    const prefix = key.slice(0, slash);
    if (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)) return false;
  }
  return name.length > 0 && name.length <= 63 && NAME.test(name);
}

export function isValidLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && NAME.test(value));
}

/** Splits on commas that are not inside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      terms.push(cur);
      cur = '';
    } else cur += ch;
  }
  terms.push(cur);
  return terms;
}

const SET_TERM = /^(\S+)\s+(in|notin)\s*\((.*)\)$/;
const BINARY_TERM = /^([^\s=!<>(),]+)\s*(==|=|!=|>|<)\s*(\S*)$/;
const BINARY_OPS: Record<string, LabelOperator> = {
  '=': 'eq',
  '==': 'eq',
  '!=': 'neq',
  '>': 'gt',
  '<': 'lt',
};

function checkKey(key: string): string {
  if (!isValidLabelKey(key))
    throw new SelectorError(`unable to parse requirement: invalid label key "${key}"`);
  return key;
}

function checkValue(value: string): string {
  if (!isValidLabelValue(value)) {
    throw new SelectorError(`unable to parse requirement: invalid label value: "${value}"`);
  }
  return value;
}

function parseTerm(raw: string): LabelRequirement {
  const term = raw.trim();
  if (term === '')
    throw new SelectorError("unable to parse requirement: found '', expected: identifier");
  const set = SET_TERM.exec(term);
  if (set) {
    const values = set[3].split(',').map((v) => checkValue(v.trim()));
    if (set[3].trim() === '')
      throw new SelectorError(
        "unable to parse requirement: for 'in', 'notin' operators, values set can't be empty",
      );
    return { key: checkKey(set[1]), op: set[2] === 'in' ? 'in' : 'notin', values };
  }
  const bin = BINARY_TERM.exec(term);
  if (bin) {
    const op = BINARY_OPS[bin[2]];
    if ((op === 'gt' || op === 'lt') && !/^-?\d+$/.test(bin[3])) {
      throw new SelectorError(
        `unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`,
      );
    }
    const value = op === 'gt' || op === 'lt' ? bin[3] : checkValue(bin[3]);
    return { key: checkKey(bin[1]), op, values: [value] };
  }
  if (term.startsWith('!'))
    return { key: checkKey(term.slice(1).trim()), op: 'notexists', values: [] };
  return { key: checkKey(term), op: 'exists', values: [] };
}

/** Parses a label selector; the empty string selects everything. Throws SelectorError. */
export function parseLabelSelector(text: string): LabelRequirement[] {
  if (text.trim() === '') return [];
  return splitTerms(text).map(parseTerm);
}

export function formatRequirement(r: LabelRequirement): string {
  switch (r.op) {
    case 'eq':
      return `${r.key}=${r.values[0] ?? ''}`;
    case 'neq':
      return `${r.key}!=${r.values[0] ?? ''}`;
    case 'gt':
      return `${r.key}>${r.values[0] ?? ''}`;
    case 'lt':
      return `${r.key}<${r.values[0] ?? ''}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.op} (${r.values.join(',')})`;
    case 'exists':
      return r.key;
    case 'notexists':
      return `!${r.key}`;
  }
}

export function formatLabelSelector(reqs: readonly LabelRequirement[]): string {
  return reqs.map(formatRequirement).join(',');
}

function matchOne(r: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.op) {
    case 'eq':
      return value === r.values[0];
    case 'neq':
      return value !== r.values[0];
    case 'in':
      return value !== undefined && r.values.includes(value);
    case 'notin':
      return value === undefined || !r.values.includes(value);
    case 'exists':
      return has;
    case 'notexists':
      return !has;
    case 'gt':
    case 'lt':
      return compareNumeric(r.op, value, r.values[0]);
  }
}

function compareNumeric(
  op: 'gt' | 'lt',
  value: string | undefined,
  bound: string | undefined,
): boolean {
  if (value === undefined || bound === undefined || !/^-?\d+$/.test(value)) return false;
  return op === 'gt' ? Number(value) > Number(bound) : Number(value) < Number(bound);
}

/** Every requirement must match (AND). */
export function matchLabels(
  reqs: readonly LabelRequirement[],
  labels: Readonly<Record<string, string>>,
): boolean {
  return reqs.every((r) => matchOne(r, labels));
}

/** A metav1.LabelSelector object ({matchLabels, matchExpressions}) as requirements. */
export function requirementsFromLabelSelector(selector: unknown): LabelRequirement[] {
  if (typeof selector !== 'object' || selector === null) return [];
  const { matchLabels: ml, matchExpressions: me } = selector as Record<string, unknown>;
  const reqs: LabelRequirement[] = [];
  if (typeof ml === 'object' && ml !== null) {
    for (const [key, value] of Object.entries(ml))
      reqs.push({ key, op: 'eq', values: [String(value)] });
  }
  for (const expr of Array.isArray(me) ? (me as unknown[]) : []) {
    const e = (typeof expr === 'object' && expr !== null ? expr : {}) as Record<string, unknown>;
    const ops: Record<string, LabelOperator> = {
      In: 'in',
      NotIn: 'notin',
      Exists: 'exists',
      DoesNotExist: 'notexists',
    };
    const op = ops[String(e.operator)];
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    if (op) reqs.push({ key: String(e.key), op, values });
  }
  return reqs;
}
