// HTTP GETs from inside a pod's network namespace. The agent runs on the host (hostPID) while a
// proxy's admin listens on 127.0.0.1 of the pod's netns, so the request is made by this Node
// binary under `nsenter --net=<netns> --` running a constant script (probe-script.ts); values
// travel only through argv, there is no shell. Network failures are results, never exceptions;
// arguments the agent should never produce (bad port, path, pid) are programmer errors and throw.
import { execa } from 'execa';
import { access } from 'node:fs/promises';
import { InvalidArgumentError } from '../lib/errors.js';
import { STATS_LISTENER } from './bootstrap.js';
import { BODY_LIMIT, PROBE_SCRIPT } from './probe-script.js';

/** The netns of a process (`/proc/<pid>/ns/net`), or a netns file such as /run/netns/<name>. */
export type NetnsRef = { pid: number } | { path: string };

export interface ProbeResult {
  /** An HTTP response arrived (any status); otherwise `error` says why not. */
  ok: boolean;
  status?: number;
  /** The response body, at most 64 KiB of it. */
  body?: string;
  /** 'ECONNREFUSED', 'timeout', 'ENOENT' (the netns is gone), ... */
  error?: string;
}

export interface ProbeOptions {
  /** For the request, from connect to the last byte; default 2000 ms. */
  timeoutMs?: number;
  host?: '127.0.0.1' | '::1';
}

export interface EnvoyReadiness {
  ready: boolean;
  listeners: string[];
  detail: string;
}

const DEFAULT_TIMEOUT_MS = 2000;
/** Node's start-up under nsenter, on top of the request's own timeout. */
const SPAWN_GRACE_MS = 10_000;
/** RFC 3986 path and query characters, without quotes, brackets, spaces or '#'. */
const URL_PATH = /^\/[A-Za-z0-9\-._~%!$&*+,;=:@/?]{0,2047}$/;
const NETNS_FILE = /^\/[A-Za-z0-9._/-]{1,254}$/;
const HOSTS = ['127.0.0.1', '::1'];

function invalid(what: string, v: unknown): never {
  throw new InvalidArgumentError(`invalid ${what}: ${JSON.stringify(v) ?? String(v)}`);
}

/** The netns file to enter; throws for a malformed reference (not for a missing one). */
export function netnsFile(target: NetnsRef): string {
  if ('pid' in target) {
    const pid = target.pid;
    if (!Number.isSafeInteger(pid) || pid < 1) invalid('pid', pid);
    return `/proc/${pid}/ns/net`;
  }
  const p = target.path;
  if (typeof p !== 'string' || !NETNS_FILE.test(p) || p.split('/').includes('..')) {
    invalid('netns path', p);
  }
  return p;
}

function checkRequest(port: number, path: string, opts: ProbeOptions): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) invalid('port', port);
  if (typeof path !== 'string' || !URL_PATH.test(path)) invalid('path', path);
  const t = opts.timeoutMs;
  if (t !== undefined && (!Number.isInteger(t) || t < 1 || t > 600_000)) invalid('timeoutMs', t);
  if (opts.host !== undefined && !HOSTS.includes(opts.host)) invalid('host', opts.host);
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

function firstLine(s: string): string {
  return (s.trim().split('\n')[0] ?? '').slice(0, 200);
}

/** The script's JSON line, or undefined when it printed none. */
function parseAnswer(stdout: string): ProbeResult | undefined {
  const line = stdout.trim().split('\n').pop() ?? '';
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const a = v as { status?: unknown; body?: unknown; error?: unknown };
  if (typeof a.status === 'number') {
    return { ok: true, status: a.status, body: typeof a.body === 'string' ? a.body : '' };
  }
  if (typeof a.error === 'string') return { ok: false, error: a.error };
  return undefined;
}

/**
 * GET http://<host>:<port><path> from inside `target`'s network namespace. Resolves with the
 * status and (truncated) body, or ok:false and the reason; rejects only for invalid arguments.
 */
export async function httpGetInNetns(
  target: NetnsRef,
  port: number,
  path: string,
  opts: ProbeOptions = {},
): Promise<ProbeResult> {
  const netns = netnsFile(target);
  checkRequest(port, path, opts);
  if (!(await exists(netns))) return { ok: false, error: 'ENOENT' };
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const host = opts.host ?? '127.0.0.1';
  const argv = [host, String(port), path, String(timeoutMs), String(BODY_LIMIT)];
  const r = await execa(
    'nsenter',
    [`--net=${netns}`, '--', process.execPath, '-e', PROBE_SCRIPT, '--', ...argv],
    {
      reject: false,
      timeout: timeoutMs + SPAWN_GRACE_MS,
      stdin: 'ignore',
      extendEnv: false,
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
      maxBuffer: 1024 * 1024,
    },
  );
  if (r.timedOut) return { ok: false, error: 'timeout' };
  const answer = r.exitCode === 0 ? parseAnswer(r.stdout) : undefined;
  if (answer) return answer;
  return { ok: false, error: firstLine(r.stderr) || r.shortMessage };
}

function describeFailure(what: string, r: ProbeResult): string {
  if (!r.ok) return `GET ${what} failed: ${r.error ?? 'unknown error'}`;
  const body = (r.body ?? '').trim().slice(0, 200);
  return `GET ${what} answered ${String(r.status)}${body ? ` ${body}` : ''}`;
}

/** Listener names from the admin's plain-text /listeners (one `name::address` per line). */
export function parseListeners(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split('\n')) {
    const at = line.indexOf('::');
    if (at > 0) names.push(line.slice(0, at).trim());
  }
  return names;
}

/**
 * Is the Envoy whose admin listens on 127.0.0.1:`adminPort` in `target` ready for traffic:
 * /ready answers 200 LIVE and /listeners shows at least one listener besides the bootstrap's own
 * stats listener (so one that traffic-control sent, e.g. the outbound capture listener).
 */
export async function envoyReady(target: NetnsRef, adminPort: number): Promise<EnvoyReadiness> {
  const ready = await httpGetInNetns(target, adminPort, '/ready');
  if (!ready.ok || ready.status !== 200 || (ready.body ?? '').trim() !== 'LIVE') {
    return { ready: false, listeners: [], detail: describeFailure('/ready', ready) };
  }
  const l = await httpGetInNetns(target, adminPort, '/listeners');
  if (!l.ok || l.status !== 200) {
    return { ready: false, listeners: [], detail: `LIVE, but ${describeFailure('/listeners', l)}` };
  }
  const listeners = parseListeners(l.body ?? '');
  if (!listeners.some((n) => n !== STATS_LISTENER)) {
    const seen = listeners.length > 0 ? listeners.join(', ') : 'none';
    return {
      ready: false,
      listeners,
      detail: `LIVE, but no listener from traffic-control yet (listeners: ${seen})`,
    };
  }
  return { ready: true, listeners, detail: `LIVE, listeners: ${listeners.join(', ')}` };
}
