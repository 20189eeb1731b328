// Host files as tar entries for locally made images: programs with the shared libraries `ldd`
// names, whole directories, and every symlink on the way (Debian's /etc/alternatives chains,
// library sonames), each at its real path so the image mirrors the host's merged-/usr layout.
import { execa } from 'execa';
import { lstat, readFile, readdir, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import type { TarEntry } from './tar.js';

/** Debian's merged /usr: the top-level directories that are symlinks into /usr. */
export const USRMERGE_LINKS: TarEntry[] = ['bin', 'sbin', 'lib', 'lib64'].map((d) => ({
  type: 'symlink',
  path: d,
  target: `usr/${d}`,
}));

/** Absolute paths of the shared libraries (and the dynamic loader) `ldd` lists for `programs`. */
export async function sharedLibraries(programs: string[]): Promise<string[]> {
  const libs = new Set<string>();
  for (const p of programs) {
    const r = await execa('ldd', [p], { reject: false });
    if (r.exitCode !== 0 && /not a dynamic executable/.test(r.stdout + r.stderr)) continue;
    if (r.exitCode !== 0) throw new Error(`ldd ${p} failed: ${r.stderr}`);
    for (const line of r.stdout.split('\n')) {
      const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)/.exec(line);
      if (m?.[1] !== undefined) libs.add(m[1]);
    }
  }
  return [...libs].sort();
}

/** Collects entries by path; later duplicates of a path are ignored. */
export class HostFiles {
  private readonly byPath = new Map<string, TarEntry>();

  /** Adds an entry made elsewhere (a path already taken keeps its first entry). */
  put(e: TarEntry): void {
    const path = e.path.replace(/^\/+/, '');
    if (!this.byPath.has(path)) this.byPath.set(path, { ...e, path });
  }

  /** `path` at its real location, following symlinks (each link becomes an entry too). */
  async add(path: string): Promise<void> {
    for (let hops = 0; hops < 40; hops++) {
      const at = join(await realpath(dirname(path)), basename(path));
      const st = await lstat(at);
      const rel = at.slice(1);
      if (st.isSymbolicLink()) {
        const target = await readlink(at);
        this.put({ type: 'symlink', path: rel, target });
        path = isAbsolute(target) ? target : join(dirname(at), target);
        continue;
      }
      if (st.isDirectory()) return this.addTree(at);
      if (!st.isFile()) throw new Error(`not a regular file: ${at}`);
      this.put({ type: 'file', path: rel, data: await readFile(at), mode: st.mode });
      return;
    }
    throw new Error(`too many symlinks: ${path}`);
  }

  /** A directory and everything below it, symlinks kept as symlinks. */
  async addTree(dir: string): Promise<void> {
    const real = await realpath(dir);
    this.put({ type: 'dir', path: real.slice(1) });
    for (const name of (await readdir(real)).sort()) {
      const abs = join(real, name);
      const st = await lstat(abs);
      if (st.isDirectory()) await this.addTree(abs);
      else if (st.isSymbolicLink())
        this.put({ type: 'symlink', path: abs.slice(1), target: await readlink(abs) });
      else if (st.isFile())
        this.put({ type: 'file', path: abs.slice(1), data: await readFile(abs), mode: st.mode });
    }
  }

  /** Programs (by path) plus their shared libraries. */
  async addPrograms(programs: string[]): Promise<void> {
    for (const p of programs) await this.add(p);
    const resolved = await Promise.all(programs.map((p) => realpath(p)));
    for (const lib of await sharedLibraries(resolved)) await this.add(lib);
  }

  /** Every entry, parents first, with a directory entry for each parent not listed. */
  entries(): TarEntry[] {
    const dirs = new Set<string>();
    for (const path of this.byPath.keys()) {
      const segs = path.split('/');
      for (let i = 1; i < segs.length; i++) dirs.add(segs.slice(0, i).join('/'));
    }
    for (const d of dirs) this.put({ type: 'dir', path: d });
    return [...this.byPath.values()].sort((a, b) =>
      a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
    );
  }
}
