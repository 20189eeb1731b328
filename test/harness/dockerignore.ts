// A build context the way the docker CLI sends it: the files under a root that a .dockerignore
// admits. BuildKit reads `<Dockerfile>.dockerignore` beside the Dockerfile; the classic builder
// (all the harness engine has) never sees that file, so the context tar is made here instead.
//
// Pattern semantics follow Docker's: one pattern a line, `#` comments, `!` re-includes, paths are
// relative to the root (a leading `/` and a trailing `/` change nothing), `*` and `?` stay inside
// one path segment, `**` spans segments, a pattern that matches a directory matches everything
// below it, and the last matching pattern decides.
import type { Stats } from 'node:fs';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { TarEntry } from './tar.js';

export interface IgnoreRule {
  negate: boolean;
  pattern: string;
  regex: RegExp;
}

function escapeRegex(c: string): string {
  return /[.+^${}()|[\]\\]/.test(c) ? `\\${c}` : c;
}

/** `**` at `i` (pattern[i] === '*' === pattern[i+1]): its regex and how many chars it used. */
function doubleStar(p: string, i: number): [string, number] {
  if (p[i + 2] === '/') return ['(.*/)?', 3];
  return ['.*', 2];
}

/** A character class `[...]` starting at `i`, passed through (Go's `[^...]` is regex's too). */
function charClass(p: string, i: number): [string, number] {
  const end = p.indexOf(']', i + 2);
  if (end < 0) return ['\\[', 1];
  const body = p.slice(i + 1, end).replace(/\\/g, '\\\\');
  return [`[${body}]`, end - i + 1];
}

function toRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i] ?? '';
    let piece: [string, number];
    if (c === '*' && pattern[i + 1] === '*') piece = doubleStar(pattern, i);
    else if (c === '*') piece = ['[^/]*', 1];
    else if (c === '?') piece = ['[^/]', 1];
    else if (c === '[') piece = charClass(pattern, i);
    else if (c === '\\' && i + 1 < pattern.length) piece = [escapeRegex(pattern[i + 1] ?? ''), 2];
    else piece = [escapeRegex(c), 1];
    re += piece[0];
    i += piece[1];
  }
  return new RegExp(`^${re}$`);
}

/** Docker's clean-up of a pattern: no leading `/` or `./`, no trailing or doubled `/`. */
function clean(pattern: string): string {
  const parts = pattern.split('/').filter((s) => s !== '' && s !== '.');
  return parts.join('/');
}

export function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    const pattern = clean(negate ? line.slice(1).trim() : line);
    if (pattern === '') continue;
    rules.push({ negate, pattern, regex: toRegex(pattern) });
  }
  return rules;
}

/** The path itself and each of its parent directories: `a/b/c`, `a/b`, `a`. */
function selfAndParents(path: string): string[] {
  const segs = path.split('/');
  return segs.map((_, i) => segs.slice(0, segs.length - i).join('/'));
}

/** Whether `path` (relative, `/`-separated) is left out of the context. */
export function isIgnored(rules: IgnoreRule[], path: string): boolean {
  const candidates = selfAndParents(path);
  let ignored = false;
  for (const r of rules) {
    if (candidates.some((c) => r.regex.test(c))) ignored = !r.negate;
  }
  return ignored;
}

/** Could a `!` rule admit something below the ignored directory `dir`? (Else skip walking it.) */
function mayAdmitBelow(rules: IgnoreRule[], dir: string): boolean {
  const dirSegs = dir.split('/');
  return rules.some((r) => {
    if (!r.negate) return false;
    const segs = r.pattern.split('/');
    for (const [i, d] of dirSegs.entries()) {
      const s = segs[i];
      if (s === undefined || s.includes('**')) return true;
      if (!toRegex(s).test(d)) return false;
    }
    return true;
  });
}

async function fileEntry(abs: string, rel: string, st: Stats): Promise<TarEntry | undefined> {
  if (st.isSymbolicLink()) return { type: 'symlink', path: rel, target: await readlink(abs) };
  if (st.isFile()) return { type: 'file', path: rel, data: await readFile(abs), mode: st.mode };
  return undefined; // sockets, fifos: never part of a context
}

/** Tar entries of every file under `root` the rules admit, in a stable (sorted) order. */
export async function contextEntries(root: string, rules: IgnoreRule[]): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(rel === '' ? root : join(root, rel))).sort();
    for (const name of names) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const abs = join(root, path);
      const st = await lstat(abs);
      const ignored = isIgnored(rules, path);
      if (st.isDirectory()) {
        if (!ignored) out.push({ type: 'dir', path });
        if (!ignored || mayAdmitBelow(rules, path)) await walk(path);
        continue;
      }
      const e = ignored ? undefined : await fileEntry(abs, path, st);
      if (e) out.push(e);
    }
  };
  await walk('');
  return out;
}
