// Running programs inside network namespaces: a pod's (by the pid of a process in it) or a named
// one under /run/netns that the harness created. Always `nsenter --net=<path> -- argv...` through
// execa with an argument array; only the network namespace changes, so host binaries are used.
import { execa } from 'execa';
import { access } from 'node:fs/promises';
import { assertIpv4, assertNetnsName, assertPid } from './validate.js';

/** A pid whose network namespace to enter, or a named netns created by the harness. */
export type NetnsTarget = number | { netns: string };

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ExecOptions {
  timeoutMs?: number;
  /** Throw on a non-zero exit (default true). */
  reject?: boolean;
  input?: string;
}

const PROGRAM = /^[A-Za-z0-9_.+/-]+$/;

export function netnsPath(target: NetnsTarget): string {
  if (typeof target === 'number') return `/proc/${assertPid(target)}/ns/net`;
  return `/run/netns/${assertNetnsName(target.netns)}`;
}

function checkArgv(argv: string[]): void {
  const [program] = argv;
  if (program === undefined || !PROGRAM.test(program)) {
    throw new Error(`invalid program: ${JSON.stringify(program)}`);
  }
}

/** Runs a program directly (no namespace switch), no shell. */
export async function run(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  checkArgv(argv);
  const [program, ...args] = argv as [string, ...string[]];
  const r = await execa(program, args, {
    reject: false,
    timeout: opts.timeoutMs ?? 30_000,
    input: opts.input,
    stdin: opts.input === undefined ? 'ignore' : 'pipe',
  });
  const result = { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode ?? -1 };
  if ((opts.reject ?? true) && (r.failed || result.exitCode !== 0)) {
    throw new Error(`${argv.join(' ')} failed (${result.exitCode}): ${r.stderr || r.message}`);
  }
  return result;
}

/** `nsenter --net=<netns of target> -- argv...` */
export function execInNetns(
  target: NetnsTarget,
  argv: string[],
  opts: ExecOptions = {},
): Promise<ExecResult> {
  checkArgv(argv);
  return run(['nsenter', `--net=${netnsPath(target)}`, '--', ...argv], opts);
}

export async function netnsExists(name: string): Promise<boolean> {
  const path = `/run/netns/${assertNetnsName(name)}`;
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** `ip netns add <name>` and bring its loopback up. Names must start with `tm-`. */
export async function createNetns(name: string): Promise<void> {
  await run(['ip', 'netns', 'add', assertNetnsName(name)]);
  await run(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
}

/** `ip netns del <name>`; false when it did not exist. */
export async function deleteNetns(name: string): Promise<boolean> {
  if (!(await netnsExists(name))) return false;
  await run(['ip', 'netns', 'del', assertNetnsName(name)]);
  return true;
}

export interface VethLink {
  /** Interface names, in namespace a and b. */
  ifA: string;
  ifB: string;
}

/**
 * Connects two named namespaces with a veth pair, addresses `ipA`/`ipB` on a /24, both up.
 * Interface names derive from `tag` (<= 8 chars of [a-z0-9]).
 */
export async function linkNetns(
  a: string,
  b: string,
  addr: { ipA: string; ipB: string; tag: string },
): Promise<VethLink> {
  if (!/^[a-z0-9]{1,8}$/.test(addr.tag)) throw new Error(`invalid veth tag: ${addr.tag}`);
  const link = { ifA: `tma${addr.tag}`, ifB: `tmb${addr.tag}` };
  assertNetnsName(a);
  assertNetnsName(b);
  await run([
    'ip',
    '-n',
    a,
    'link',
    'add',
    link.ifA,
    'type',
    'veth',
    'peer',
    'name',
    link.ifB,
    'netns',
    b,
  ]);
  await run(['ip', '-n', a, 'addr', 'add', `${assertIpv4(addr.ipA)}/24`, 'dev', link.ifA]);
  await run(['ip', '-n', b, 'addr', 'add', `${assertIpv4(addr.ipB)}/24`, 'dev', link.ifB]);
  await run(['ip', '-n', a, 'link', 'set', link.ifA, 'up']);
  await run(['ip', '-n', b, 'link', 'set', link.ifB, 'up']);
  return link;
}
