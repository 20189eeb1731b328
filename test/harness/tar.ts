// A minimal POSIX ustar writer: directories, regular files and symlinks, owned by root, with a
// fixed mtime so the same input always yields the same bytes.

export type TarEntry =
  | { type: 'dir'; path: string; mode?: number }
  | { type: 'file'; path: string; data: Buffer | string; mode?: number }
  | { type: 'symlink'; path: string; target: string };

const BLOCK = 512;
const MTIME = 1_700_000_000;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** Splits a path into ustar's prefix (<=155) and name (<=100) fields. */
function splitPath(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  for (let i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  throw new Error(`path too long for ustar: ${path}`);
}

function normalize(path: string, dir: boolean): string {
  const p = path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (p === '' || p.split('/').some((s) => s === '..' || s === '')) {
    throw new Error(`invalid tar path: ${JSON.stringify(path)}`);
  }
  return dir ? `${p}/` : p;
}

function header(e: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  const { name, prefix } = splitPath(normalize(e.path, e.type === 'dir'));
  const defaultMode = e.type === 'dir' ? 0o755 : e.type === 'symlink' ? 0o777 : 0o644;
  const mode = e.type === 'symlink' ? 0o777 : (e.mode ?? defaultMode);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode & 0o7777, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(MTIME, 12), 136, 'ascii');
  h.write(' '.repeat(8), 148, 'ascii');
  h.write(e.type === 'dir' ? '5' : e.type === 'symlink' ? '2' : '0', 156, 'ascii');
  if (e.type === 'symlink') h.write(e.target, 157, 100, 'utf8');
  h.write('ustar\u000000', 257, 'ascii');
  h.write('root', 265, 32, 'ascii');
  h.write('root', 297, 32, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

/** The whole archive in memory (test images are a few MB). */
export function buildTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.type === 'symlink' && Buffer.byteLength(e.target) > 100) {
      throw new Error(`symlink target too long: ${e.target}`);
    }
    const data = e.type === 'file' ? Buffer.from(e.data) : Buffer.alloc(0);
    parts.push(header(e, data.length), data);
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (pad > 0) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return Buffer.concat(parts);
}
