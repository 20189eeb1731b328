// An Ingress path rule → an Envoy route match, with Kubernetes semantics:
// - Exact `/foo`: the path is `/foo` (`path`).
// - Prefix `/foo` (or `/foo/`): `/foo` and everything under `/foo/`, element by element, never
//   `/foobar` (`path_separated_prefix`, which also ignores a trailing slash); Prefix `/` matches
//   everything (`prefix: /`).
// - ImplementationSpecific `/foo`: a plain string prefix (`prefix`), as the original matched.
// Routes are ordered most specific first: longer paths, then Exact, Prefix, ImplementationSpecific.

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

const RANK: Record<PathType, number> = { Exact: 0, Prefix: 1, ImplementationSpecific: 2 };

export interface PathMatch {
  type: PathType;
  /** The path as matched (a Prefix path without its trailing slashes). */
  path: string;
  /** The Envoy RouteMatch path specifier. */
  match: Record<string, string>;
}

export type PathResult = { ok: PathMatch } | { error: string };

function pathType(t: string | undefined): PathType | undefined {
  const type = t ?? 'ImplementationSpecific';
  return type in RANK ? (type as PathType) : undefined;
}

/** Envoy matches the path without the query; a path with `?`, `#` or whitespace never matches. */
function pathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'must start with "/"';
  if (/[?#\s]/.test(path)) return 'must not contain "?", "#" or whitespace';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'must not contain control characters';
  return undefined;
}

export function pathMatch(path: string | undefined, type: string | undefined): PathResult {
  const t = pathType(type);
  if (!t) return { error: `pathType "${type}" is not Exact, Prefix or ImplementationSpecific` };
  const p = path === undefined || path === '' ? '/' : path;
  const problem = pathProblem(p);
  if (problem) return { error: `path "${p}" ${problem}` };
  if (t === 'Exact') return { ok: { type: t, path: p, match: { path: p } } };
  if (t === 'ImplementationSpecific') return { ok: { type: t, path: p, match: { prefix: p } } };
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return { ok: { type: t, path: '/', match: { prefix: '/' } } };
  return { ok: { type: t, path: trimmed, match: { path_separated_prefix: trimmed } } };
}

/** Does this match take every request (the host's catch-all)? */
export function matchesAll(m: PathMatch): boolean {
  return m.type !== 'Exact' && m.path === '/';
}

/** Two rules with this key route exactly the same requests. */
export function matchKey(m: PathMatch): string {
  return matchesAll(m) ? 'all' : `${m.type} ${m.path}`;
}

/** Most specific first: the longer path; at equal length Exact, then Prefix, then the rest. */
export function compareMatches(a: PathMatch, b: PathMatch): number {
  return b.path.length - a.path.length || RANK[a.type] - RANK[b.type];
}
