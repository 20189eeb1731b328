// The node's run directory as the agent sees it (--host-run-dir, e.g. /host/run where the chart
// mounts the host's /run). The runtimes' sockets default to their usual places under it, and the
// netns files a runtime reports on the host (/run/... or /var/run/..., /var/run being a symlink
// to /run) are opened through it. Without it every path is used as the runtime reports it.
import { InvalidArgumentError } from '../../lib/errors.js';

/** Characters a mapped path may hold: those `nsenter --net=<path>` is ever given (iptables/exec.ts). */
const DIR = /^\/[A-Za-z0-9._/-]{1,200}$/;

/** Host paths the mapping applies to, as path segments. */
const RUN_ROOTS: ReadonlyArray<readonly string[]> = [['run'], ['var', 'run']];

/** The segments of an absolute path, or undefined when it is relative or holds `.`, `..` or NUL. */
export function pathSegments(p: string): string[] | undefined {
  if (!p.startsWith('/') || p.includes('\0')) return undefined;
  const segs = p.split('/').filter((s) => s !== '');
  return segs.some((s) => s === '.' || s === '..') ? undefined : segs;
}

/** `--host-run-dir`: an absolute directory without `..`, returned without trailing slashes. */
export function validHostRunDir(raw: string): string {
  const segs = pathSegments(raw);
  if (!DIR.test(raw) || !segs || segs.length === 0) {
    throw new InvalidArgumentError(
      `--host-run-dir must be an absolute directory without "..", got "${raw}"`,
    );
  }
  return `/${segs.join('/')}`;
}

function runRootLength(segs: string[]): number {
  const root = RUN_ROOTS.find((r) => r.every((s, i) => segs[i] === s));
  return root?.length ?? 0;
}

/**
 * Where the agent opens a host path the runtime reported: under `hostRunDir` when the path is
 * in /run or /var/run, else unchanged (normalised). Undefined for `/` and for a path that is not
 * absolute or holds `.` or `..` segments: such a path is never opened.
 */
export function hostRunPath(hostRunDir: string | undefined, hostPath: string): string | undefined {
  const segs = pathSegments(hostPath);
  if (!segs || segs.length === 0) return undefined;
  const n = hostRunDir === undefined ? 0 : runRootLength(segs);
  if (n === 0) return `/${segs.join('/')}`;
  return [hostRunDir, ...segs.slice(n)].join('/');
}

/** Host path → the agent's path (or undefined: refuse it). */
export type HostPathMap = (hostPath: string) => string | undefined;

export function hostPathMap(hostRunDir?: string): HostPathMap {
  const dir = hostRunDir === undefined ? undefined : validHostRunDir(hostRunDir);
  return (p) => hostRunPath(dir, p);
}

/** Docker's socket: /var/run/docker.sock, through the host run directory when there is one. */
export function defaultDockerHost(hostRunDir?: string): string {
  return `unix://${hostRunDir === undefined ? '/var/run' : validHostRunDir(hostRunDir)}/docker.sock`;
}

/** containerd's socket: /run/containerd/containerd.sock, likewise. */
export function defaultContainerdAddress(hostRunDir?: string): string {
  const dir = hostRunDir === undefined ? '/run' : validHostRunDir(hostRunDir);
  return `${dir}/containerd/containerd.sock`;
}
