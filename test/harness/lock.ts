// A cross-process lock file: created with O_EXCL, holding the owner's pid and a random token.
// A lock whose owner is dead (or that is older than `staleMs`) is stale and gets removed.
// Residual race, accepted for a test harness with at most a few parallel test files: two waiters
// that both judge the same lock stale re-read it right before unlinking and only unlink when the
// token is still the stale one, which narrows but does not fully close the window.
import { randomBytes } from 'node:crypto';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { isAlive } from './proc.js';
import { waitFor } from './wait.js';

interface LockContent {
  pid: number;
  token: string;
  createdAt: number;
}

export interface Lock {
  readonly path: string;
  release(): Promise<void>;
}

export interface LockOptions {
  timeoutMs?: number;
  staleMs?: number;
}

const UNREADABLE = 'unreadable';

/** The lock's content; an unreadable lock (owner died mid-write) has pid 0 and its mtime. */
async function readLock(path: string): Promise<LockContent | undefined> {
  let text: string;
  let mtimeMs: number;
  try {
    text = await readFile(path, 'utf8');
    mtimeMs = (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockContent>;
    if (typeof parsed.pid === 'number' && typeof parsed.token === 'string') {
      return { pid: parsed.pid, token: parsed.token, createdAt: Number(parsed.createdAt ?? 0) };
    }
  } catch {
    // fall through: unreadable
  }
  return { pid: 0, token: UNREADABLE, createdAt: mtimeMs };
}

async function tryCreate(path: string, content: LockContent): Promise<boolean> {
  try {
    const fh = await open(path, 'wx', 0o600);
    try {
      await fh.writeFile(JSON.stringify(content));
    } finally {
      await fh.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

async function isStale(held: LockContent, staleMs: number): Promise<boolean> {
  const age = Date.now() - held.createdAt;
  if (age > staleMs) return true;
  // Unreadable content is either being written right now or left by a crash mid-write.
  if (held.pid <= 1) return age > 10_000;
  return held.pid !== process.pid && !(await isAlive(held.pid));
}

async function removeIfSame(path: string, token: string): Promise<void> {
  const again = await readLock(path);
  if (again?.token !== token) return;
  await unlink(path).catch(() => undefined);
}

/** Waits (bounded) until the lock at `path` is ours. */
export async function acquireLock(path: string, opts: LockOptions = {}): Promise<Lock> {
  const staleMs = opts.staleMs ?? 5 * 60_000;
  const mine: LockContent = {
    pid: process.pid,
    token: randomBytes(8).toString('hex'),
    createdAt: Date.now(),
  };
  await waitFor(
    async () => {
      mine.createdAt = Date.now();
      if (await tryCreate(path, mine)) return true;
      const held = await readLock(path);
      if (held && (await isStale(held, staleMs))) await removeIfSame(path, held.token);
      return undefined;
    },
    { what: `lock ${path}`, timeoutMs: opts.timeoutMs ?? 180_000, intervalMs: 100 },
  );
  return { path, release: () => removeIfSame(path, mine.token) };
}

/** Runs `fn` while holding the lock at `path`. */
export async function withLock<T>(
  path: string,
  fn: () => Promise<T>,
  opts?: LockOptions,
): Promise<T> {
  const lock = await acquireLock(path, opts);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
