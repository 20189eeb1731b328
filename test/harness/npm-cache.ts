// An npm cache holding exactly what `npm ci --offline` needs for one package-lock.json, copied
// from the host's cache (cacache: index-v5/ buckets of JSON lines keyed by request, content-v2/
// blobs addressed by their integrity).
//
// What offline `npm ci` reads, checked by hand with npm 11: our lock omits `resolved`
// (omit-lockfile-registry-resolved), so npm first asks for each package's abbreviated packument
// (`<registry><name>`, Accept: application/vnd.npm.install-v1+json) to learn the tarball URL, then
// requests that URL; both come from index entries whose content blob must exist. Packages that
// the lock bundles inside another tarball, and platform-specific optional packages for another
// os/cpu/libc, are never fetched.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TarEntry } from './tar.js';

export interface LockedTarball {
  name: string;
  version: string;
  integrity: string;
}

interface LockEntry {
  version?: string;
  integrity?: string;
  inBundle?: boolean;
  link?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
}

export interface Platform {
  os: string;
  cpu: string;
  libc: string;
}

/** npm's os/cpu/libc rule: listed, or not excluded by a `!x` list. */
function allows(list: string[] | undefined, value: string): boolean {
  if (list === undefined || list.length === 0) return true;
  if (list.includes(value)) return true;
  return list.every((v) => v.startsWith('!')) && !list.includes(`!${value}`);
}

/** The registry tarballs `npm ci` fetches for this lock on `platform`, one per name@version. */
export function lockedTarballs(lockText: string, platform: Platform): LockedTarball[] {
  const lock = JSON.parse(lockText) as { packages?: Record<string, LockEntry> };
  const out = new Map<string, LockedTarball>();
  for (const [path, e] of Object.entries(lock.packages ?? {})) {
    if (path === '' || e.inBundle === true || e.link === true) continue;
    if (!allows(e.os, platform.os) || !allows(e.cpu, platform.cpu)) continue;
    if (!allows(e.libc, platform.libc)) continue;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    if (e.version === undefined || e.integrity === undefined) {
      throw new Error(`package-lock.json: ${path} has no version or integrity`);
    }
    out.set(`${name}@${e.version}`, { name, version: e.version, integrity: e.integrity });
  }
  return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

interface IndexLine {
  line: string;
  key: string;
  integrity: string;
  accept: string;
}

const KEY_PREFIX = 'make-fetch-happen:request-cache:';

function bucketPath(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return join('index-v5', h.slice(0, 2), h.slice(2, 4), h.slice(4));
}

function contentPath(integrity: string): string {
  const [algo = '', b64 = ''] = integrity.split('-', 2);
  const hex = Buffer.from(b64, 'base64').toString('hex');
  if (!/^sha(1|256|512)$/.test(algo) || hex.length < 8)
    throw new Error(`bad integrity ${integrity}`);
  return join('content-v2', algo, hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
}

function parseLine(line: string): IndexLine | undefined {
  const tab = line.indexOf('\t');
  try {
    const e = JSON.parse(line.slice(tab + 1)) as {
      key?: string;
      integrity?: string;
      metadata?: { reqHeaders?: { accept?: string } };
    };
    if (typeof e.key !== 'string' || typeof e.integrity !== 'string') return undefined;
    return {
      line,
      key: e.key,
      integrity: e.integrity,
      accept: e.metadata?.reqHeaders?.accept ?? '',
    };
  } catch {
    return undefined; // a torn line: cacache skips those as well
  }
}

export class NpmCacheSeed {
  private readonly files = new Map<string, TarEntry>();
  readonly missing: string[] = [];

  /** `cacheDir`: the host's cacache directory (`$(npm config get cache)/_cacache`). */
  constructor(
    private readonly cacheDir: string,
    private readonly registry: string,
  ) {}

  /** The newest index line for `key` that `accept` likes and whose content blob exists. */
  private async newestLine(
    key: string,
    ok: (l: IndexLine) => boolean,
  ): Promise<IndexLine | undefined> {
    const text = await readFile(join(this.cacheDir, bucketPath(key)), 'utf8').catch(() => '');
    const lines = text.split('\n').map(parseLine);
    const usable = lines.filter(
      (l): l is IndexLine =>
        l !== undefined &&
        l.key === key &&
        ok(l) &&
        existsSync(join(this.cacheDir, contentPath(l.integrity))),
    );
    return usable.at(-1);
  }

  private async copy(key: string, l: IndexLine): Promise<void> {
    this.files.set(bucketPath(key), { type: 'file', path: bucketPath(key), data: `\n${l.line}` });
    const blob = contentPath(l.integrity);
    if (!this.files.has(blob)) {
      const data = await readFile(join(this.cacheDir, blob));
      this.files.set(blob, { type: 'file', path: blob, data, mode: 0o444 });
    }
  }

  private async addEntry(key: string, what: string, ok: (l: IndexLine) => boolean): Promise<void> {
    if (this.files.has(bucketPath(key))) return;
    const line = await this.newestLine(key, ok);
    if (line === undefined) this.missing.push(`${what} (${key.slice(KEY_PREFIX.length)})`);
    else await this.copy(key, line);
  }

  /** The packument and the tarball of `t`; what the host cache lacks goes to `missing`. */
  async add(t: LockedTarball): Promise<void> {
    const base = t.name.slice(t.name.lastIndexOf('/') + 1);
    const tarball = `${KEY_PREFIX}${this.registry}${t.name}/-/${base}-${t.version}.tgz`;
    await this.addEntry(
      tarball,
      `${t.name}@${t.version} tarball`,
      (l) => l.integrity === t.integrity,
    );
    const packument = `${KEY_PREFIX}${this.registry}${t.name.replace('/', '%2f')}`;
    await this.addEntry(packument, `${t.name} packument`, (l) => l.accept.includes('install-v1'));
  }

  /** Entries of a cacache directory, paths relative to it. */
  entries(): TarEntry[] {
    return [...this.files.values()];
  }

  bytes(): number {
    return this.entries().reduce(
      (n, e) => n + (e.type === 'file' ? Buffer.byteLength(e.data) : 0),
      0,
    );
  }
}
