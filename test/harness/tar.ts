// A minimal POSIX ustar writer: directories, regular files and symlinks, owned by root, with a
// fixed mtime so the same input always yields the same bytes. Paths and link targets too long
// for ustar's fields go into a PAX extended header before the entry.

export type TarEntry =
  | { type: 'dir'; path: string; mode?: number }
  | { type: 'file'; path: string; data: Buffer | string; mode?: number }
  | { type: 'symlink'; path: string; target: string };

const BLOCK = 512;
const MTIME = 1_700_000_000;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** Splits a path into ustar's prefix (<=155) and name (<=100) fields; undefined if it cannot. */
function splitPath(path: string): { name: string; prefix: string } | undefined {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  for (let i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  return undefined;
}

function normalize(path: string, dir: boolean): string {
  const p = path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (p === '' || p.split('/').some((s) => s === '..' || s === '')) {
    throw new Error(`invalid tar path: ${JSON.stringify(path)}`);
  }
  return dir ? `${p}/` : p;
}

interface Header {
  name: string;
  prefix: string;
  mode: number;
  size: number;
  /** ustar typeflag: 0 file, 2 symlink, 5 directory, x PAX extended header. */
  flag: '0' | '2' | '5' | 'x';
  linkname: string;
}

function headerBlock(f: Header): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  h.write(f.name, 0, 100, 'utf8');
  h.write(octal(f.mode & 0o7777, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(f.size, 12), 124, 'ascii');
  h.write(octal(MTIME, 12), 136, 'ascii');
  h.write(' '.repeat(8), 148, 'ascii');
  h.write(f.flag, 156, 'ascii');
  h.write(f.linkname, 157, 100, 'utf8');
  h.write('ustar\u000000', 257, 'ascii');
  h.write('root', 265, 32, 'ascii');
  h.write('root', 297, 32, 'ascii');
  h.write(f.prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

/** One PAX record: "<length> <key>=<value>\n", the length counting itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body);
  while (String(len).length + Buffer.byteLength(body) !== len) {
    len = String(len).length + Buffer.byteLength(body);
  }
  return `${len}${body}`;
}

function padding(size: number): Buffer[] {
  const pad = (BLOCK - (size % BLOCK)) % BLOCK;
  return pad > 0 ? [Buffer.alloc(pad, 0)] : [];
}

/** Header blocks of one entry: a PAX header first when its path or link target is too long. */
function headers(e: TarEntry, size: number): Buffer[] {
  const path = normalize(e.path, e.type === 'dir');
  const split = splitPath(path);
  const linkname = e.type === 'symlink' ? e.target : '';
  const longLink = Buffer.byteLength(linkname) > 100;
  const defaultMode = e.type === 'dir' ? 0o755 : e.type === 'symlink' ? 0o777 : 0o644;
  const mode = e.type === 'symlink' ? 0o777 : (e.mode ?? defaultMode);
  const flag = e.type === 'dir' ? '5' : e.type === 'symlink' ? '2' : '0';
  const short = split ?? { name: path.slice(-100).replace(/^[^/]*\//, ''), prefix: '' };
  const main = headerBlock({ ...short, mode, size, flag, linkname: longLink ? '' : linkname });
  if (split && !longLink) return [main];
  const pax = Buffer.from(
    (split ? '' : paxRecord('path', path)) + (longLink ? paxRecord('linkpath', linkname) : ''),
  );
  const paxName = `PaxHeaders/${short.name}`.slice(0, 100);
  const paxHeader = headerBlock({
    name: paxName,
    prefix: '',
    mode: 0o644,
    size: pax.length,
    flag: 'x',
    linkname: '',
  });
  return [paxHeader, pax, ...padding(pax.length), main];
}

/** The archive block by block, for streaming large images without one more copy in memory. */
export function* tarChunks(entries: Iterable<TarEntry>): Generator<Buffer> {
  for (const e of entries) {
    const data =
      e.type !== 'file' ? Buffer.alloc(0) : Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data);
    yield* headers(e, data.length);
    if (data.length > 0) yield data;
    yield* padding(data.length);
  }
  yield Buffer.alloc(BLOCK * 2, 0);
}

/** The whole archive in memory (test images are a few MB). */
export function buildTar(entries: TarEntry[]): Buffer {
  return Buffer.concat([...tarChunks(entries)]);
}
