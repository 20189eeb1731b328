// Bounded polling: every wait in the harness has a deadline and a maximum number of attempts.
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** What we are waiting for; used in the timeout error. */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
}

/** Thrown by a probe to end the wait at once (e.g. the daemon being waited for has exited). */
export class WaitAborted extends Error {}

/**
 * Calls `probe` until it returns a value other than undefined, or the deadline passes. A probe
 * that throws counts as "not yet" (the last error is reported on timeout), except WaitAborted.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  opts: WaitOptions,
): Promise<T> {
  const interval = opts.intervalMs ?? 100;
  const deadline = Date.now() + opts.timeoutMs;
  const maxAttempts = Math.ceil(opts.timeoutMs / interval) + 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      if (err instanceof WaitAborted) throw err;
      lastError = err;
    }
    if (Date.now() >= deadline) break;
    await sleep(interval);
  }
  const why = lastError instanceof Error ? `: last error: ${lastError.message}` : '';
  throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}${why}`);
}
