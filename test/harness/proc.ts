// Process helpers working from /proc. Signals only go to a pid whose command line proves it is a
// process this harness started (pids get reused), never to processes looked up by name.
import { readFile } from 'node:fs/promises';
import { assertPid } from './validate.js';
import { waitFor } from './wait.js';

/** The single-letter state from /proc/<pid>/stat, or undefined when there is no such process. */
export async function processState(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${assertPid(pid)}/stat`, 'utf8');
    // The command name sits in parentheses and may itself contain spaces or parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).charAt(0) || undefined;
  } catch {
    return undefined;
  }
}

/** True when the process exists and is not a zombie. */
export async function isAlive(pid: number): Promise<boolean> {
  const state = await processState(pid);
  return state !== undefined && state !== 'Z' && state !== 'X';
}

/** The argument vector of a running process, or undefined when it is gone. */
export async function readCmdline(pid: number): Promise<string[] | undefined> {
  try {
    const raw = await readFile(`/proc/${assertPid(pid)}/cmdline`, 'utf8');
    const argv = raw.split('\0');
    if (argv.at(-1) === '') argv.pop();
    return argv.length > 0 ? argv : undefined;
  } catch {
    return undefined;
  }
}

/** True when `pid` is alive and its argv satisfies `matches`. */
export async function isOurProcess(
  pid: number,
  matches: (argv: string[]) => boolean,
): Promise<boolean> {
  if (!(await isAlive(pid))) return false;
  const argv = await readCmdline(pid);
  return argv !== undefined && matches(argv);
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  try {
    await waitFor(async () => ((await isAlive(pid)) ? undefined : true), {
      what: `process ${pid} to exit`,
      timeoutMs,
      intervalMs: 50,
    });
    return true;
  } catch {
    return false;
  }
}

function trySignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

export interface TerminateOptions {
  /** Proof that the pid is still the process we started. */
  matches: (argv: string[]) => boolean;
  /** How long to wait after SIGTERM before SIGKILL. */
  graceMs: number;
}

/**
 * SIGTERM, bounded wait, then SIGKILL. Returns false when the pid was not (or no longer) ours, so
 * nothing was signalled; throws when the process survives SIGKILL.
 */
export async function terminate(pid: number, opts: TerminateOptions): Promise<boolean> {
  assertPid(pid);
  if (!(await isOurProcess(pid, opts.matches))) return false;
  trySignal(pid, 'SIGTERM');
  if (await waitForExit(pid, opts.graceMs)) return true;
  if (!(await isOurProcess(pid, opts.matches))) return true;
  trySignal(pid, 'SIGKILL');
  if (await waitForExit(pid, 10_000)) return true;
  throw new Error(`process ${pid} did not exit after SIGKILL`);
}
