// Running the iptables tools inside a network namespace: `nsenter --net=<path> -- <tool> ...`
// through execa with an argument array (no shell). Only the network namespace changes, so the
// host's binaries run against the target's rule set. Failures become TrafficErrors with stable
// codes: TM_INVALID_ARGUMENT (bad target), TM_NOT_FOUND (netns gone), TM_IPTABLES (the tool failed).
import { access } from 'node:fs/promises';
import { execa } from 'execa';
import { InvalidArgumentError, TrafficError } from '../lib/errors.js';
import type { Family } from './options.js';

/** A pid whose network namespace to enter (`/proc/<pid>/ns/net`), or a netns file path. */
export type NetnsTarget = { pid: number } | { path: string };

export type Backend = 'nft' | 'legacy';

const PATH = /^\/[A-Za-z0-9._/-]{1,255}$/;
const TIMEOUT_MS = 30_000;
/** nsenter's exit code when the program to run does not exist. */
const NOT_INSTALLED = 127;

export function netnsPathOf(target: NetnsTarget): string {
  if (typeof target !== 'object' || target === null) {
    throw new InvalidArgumentError(`invalid netns target: ${JSON.stringify(target)}`);
  }
  if ('pid' in target) {
    const { pid } = target;
    // pid 1 is the host's init: its netns is the node's, never a pod's.
    if (!Number.isSafeInteger(pid) || pid <= 1) {
      throw new InvalidArgumentError(`invalid pid: ${JSON.stringify(pid)}`);
    }
    return `/proc/${pid}/ns/net`;
  }
  const { path } = target;
  if (typeof path !== 'string' || !PATH.test(path) || path.split('/').includes('..')) {
    throw new InvalidArgumentError(`invalid netns path: ${JSON.stringify(path)}`);
  }
  return path;
}

/** `iptables-nft-save`, `ip6tables-legacy-restore`, ... */
export function toolName(backend: Backend, family: Family, tool: 'save' | 'restore'): string {
  return `${family === 'ipv6' ? 'ip6tables' : 'iptables'}-${backend}-${tool}`;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  /** The program is not installed on this host. */
  missing: boolean;
}

async function assertExists(path: string): Promise<void> {
  try {
    await access(path);
  } catch (err) {
    throw new TrafficError('TM_NOT_FOUND', `network namespace ${path} does not exist`, {
      cause: err,
    });
  }
}

/**
 * Runs `argv` inside the netns of `target`. Throws TM_IPTABLES on a non-zero exit, except that a
 * program that is not installed is reported as `missing` when `allowMissing` is set.
 */
export async function runInNetns(
  target: NetnsTarget,
  argv: [string, ...string[]],
  opts: { input?: string; allowMissing?: boolean } = {},
): Promise<RunResult> {
  const path = netnsPathOf(target);
  await assertExists(path);
  const r = await execa('nsenter', [`--net=${path}`, '--', ...argv], {
    reject: false,
    timeout: TIMEOUT_MS,
    input: opts.input,
    stdin: opts.input === undefined ? 'ignore' : 'pipe',
  });
  if (r.exitCode === 0) return { stdout: r.stdout, stderr: r.stderr, missing: false };
  if (opts.allowMissing === true && r.exitCode === NOT_INSTALLED) {
    return { stdout: '', stderr: r.stderr, missing: true };
  }
  const why = r.timedOut ? `timed out after ${TIMEOUT_MS} ms` : `exit ${String(r.exitCode)}`;
  const detail = (r.stderr || (r.message ?? '')).trim().split('\n').slice(0, 5).join(' | ');
  throw new TrafficError('TM_IPTABLES', `${argv[0]} in ${path} failed (${why}): ${detail}`);
}

/** Runs a program in this process's own namespace (for `iptables --version`). */
export async function runHere(argv: [string, ...string[]]): Promise<string> {
  const [program, ...args] = argv;
  const r = await execa(program, args, { reject: false, timeout: TIMEOUT_MS, stdin: 'ignore' });
  if (r.exitCode === 0) return r.stdout;
  const detail = (r.stderr || (r.message ?? '')).trim();
  throw new TrafficError('TM_IPTABLES', `${program} failed: ${detail}`);
}
