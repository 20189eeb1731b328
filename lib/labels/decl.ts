// The shape of one vocabulary entry and how a label key is matched against it. Keys may carry
// parameters, written `<name>` in the declaration: `traffic.port.<port>`.
import type { Parser } from './parsers.js';

export type ObjectKind = 'Pod' | 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Service' | 'Ingress';

export const WORKLOAD_KINDS: readonly ObjectKind[] = [
  'Pod',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
];

export interface LabelDecl<T = unknown> {
  /** The key, with `<param>` placeholders for parameterised keys. */
  name: string;
  appliesTo: readonly ObjectKind[];
  /** Used when the label is absent or invalid; undefined means "feature off". */
  default: T | undefined;
  units?: string;
  description: string;
  parser: Parser<T>;
  /**
   * Where the value is read: a label (default), an annotation (values labels cannot hold, such
   * as lists), or either (a label, else an annotation of the same name, for values that may
   * not fit a label, such as header values).
   */
  via?: 'label' | 'annotation' | 'either';
}

/** What each placeholder may match in a key, and how to check it. */
const PARAMS: Record<string, { pattern: string; check: (v: string) => boolean }> = {
  port: { pattern: '(\\d{1,5})', check: (v) => Number(v) >= 1 && Number(v) <= 65535 },
  header: { pattern: '([A-Za-z0-9][-A-Za-z0-9_]{0,62})', check: () => true },
  version: {
    pattern: '([A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)',
    check: () => true,
  },
};

export interface KeyMatcher {
  regex: RegExp;
  params: string[];
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function keyMatcher(name: string): KeyMatcher {
  const params: string[] = [];
  const parts = name.split(/(<[a-z]+>)/);
  const source = parts
    .map((part) => {
      const m = /^<([a-z]+)>$/.exec(part);
      if (!m) return escapeRegex(part);
      const spec = PARAMS[m[1] ?? ''];
      if (!spec) throw new Error(`label ${name}: unknown parameter ${part}`);
      params.push(m[1] ?? '');
      return spec.pattern;
    })
    .join('');
  return { regex: new RegExp(`^${source}$`), params };
}

/** The parameters of `key` if it matches the declaration, else undefined. */
export function matchKey(m: KeyMatcher, key: string): Record<string, string> | undefined {
  const hit = m.regex.exec(key);
  if (!hit) return undefined;
  const out: Record<string, string> = {};
  for (const [i, p] of m.params.entries()) {
    const v = hit[i + 1] ?? '';
    if (!PARAMS[p]?.check(v)) return undefined;
    out[p] = v;
  }
  return out;
}
