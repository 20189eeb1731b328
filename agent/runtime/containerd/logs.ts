// Proxy logs on containerd: the runc shim appends the task's stdout and stderr to one file
// (`file://` stdio). The agent rotates it copy-truncate style (the shim keeps its O_APPEND
// descriptor, so writes land at the new end) and reads the rotated files plus the live one.
import { copyFile, open, readFile, rename, rm, stat, truncate } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import { TrafficError } from '../../../lib/errors.js';
import { validContainerId } from '../names.js';

export const LOG_MAX_BYTES = 10 * 1024 * 1024;
export const LOG_FILES = 3;

export function validLogDir(dir: string): string {
  if (!/^\/[A-Za-z0-9._/-]{1,200}$/.test(dir) || dir.split('/').includes('..')) {
    throw new TrafficError('TM_INVALID_ARGUMENT', `invalid proxy log directory "${dir}"`);
  }
  return dir.replace(/\/+$/, '');
}

export function logPath(dir: string, id: string): string {
  return `${dir}/${validContainerId(id)}.log`;
}

/** Oldest first: <id>.log.2, <id>.log.1, <id>.log. */
function logFiles(path: string): string[] {
  const rotated = Array.from({ length: LOG_FILES - 1 }, (_, i) => `${path}.${LOG_FILES - 1 - i}`);
  return [...rotated, path];
}

export async function rotateLog(path: string, maxBytes = LOG_MAX_BYTES): Promise<boolean> {
  const size = (await stat(path).catch(() => undefined))?.size ?? 0;
  if (size <= maxBytes) return false;
  for (let i = LOG_FILES - 2; i >= 1; i--) {
    await rename(`${path}.${i}`, `${path}.${i + 1}`).catch(() => undefined);
  }
  await copyFile(path, `${path}.1`);
  await truncate(path, 0);
  return true;
}

export async function removeLogs(path: string): Promise<void> {
  for (const f of logFiles(path)) await rm(f, { force: true });
}

function lastLines(buf: Buffer, n: number): Buffer {
  let idx = buf.length;
  if (idx > 0 && buf[idx - 1] === 0x0a) idx--;
  for (let seen = 0; idx > 0; idx--) {
    if (buf[idx - 1] === 0x0a && ++seen === n) break;
  }
  return buf.subarray(idx);
}

async function readAll(path: string): Promise<Buffer> {
  const parts = await Promise.all(
    logFiles(path).map((f) => readFile(f).catch(() => Buffer.alloc(0))),
  );
  return Buffer.concat(parts);
}

async function readFrom(path: string, offset: number): Promise<{ data: Buffer; size: number }> {
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return { data: Buffer.alloc(0), size: 0 };
  try {
    const { size } = await fh.stat();
    const start = size < offset ? 0 : offset;
    const data = Buffer.alloc(Math.max(0, size - start));
    if (data.length > 0) await fh.read(data, 0, data.length, start);
    return { data, size };
  } finally {
    await fh.close();
  }
}

/**
 * The logs as one stream: everything (or the last `tail` lines); with `follow`, new output as
 * it arrives until `running()` says the proxy stopped or the reader closes the stream.
 */
export async function readLogs(
  path: string,
  opts: { follow: boolean; tail?: number; running?: () => Promise<boolean> },
): Promise<Readable> {
  const all = await readAll(path);
  const out = new PassThrough();
  out.write(opts.tail ? lastLines(all, opts.tail) : all);
  if (!opts.follow) {
    out.end();
    return out;
  }
  let offset = (await stat(path).catch(() => undefined))?.size ?? 0;
  let closed = false;
  out.on('close', () => (closed = true));
  const tick = async (): Promise<void> => {
    while (!closed) {
      await new Promise((r) => setTimeout(r, 250));
      const r = await readFrom(path, offset);
      if (r.data.length > 0) out.write(r.data);
      offset = r.size;
      if (opts.running && !(await opts.running())) break;
    }
    out.end();
  };
  tick().catch((err: unknown) => out.destroy(err as Error));
  return out;
}
