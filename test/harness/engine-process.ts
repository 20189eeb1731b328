// Starting and stopping the two daemons of a private engine. Both run inside the engine's own
// network namespace (entered with `nsenter --net`, which keeps the host mount namespace: dockerd
// needs the host's /sys/fs/cgroup, which `ip netns exec` would hide by remounting /sys).
import { execa } from 'execa';
import { closeSync, openSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { createConnection } from 'node:net';
import type { EngineLayout } from './engine-layout.js';
import { containerdArgs, dockerdArgs, isContainerdOf, isDockerdOf } from './engine-layout.js';
import { isAlive, terminate } from './proc.js';
import { assertNetnsName } from './validate.js';
import { WaitAborted, waitFor } from './wait.js';

/** PATH for the daemons: runc, iptables and containerd-shim live in sbin/bin. */
export const DAEMON_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };

/** GET /_ping on a Docker socket; true on HTTP 200 within `timeoutMs`. */
export function pingSocket(socketPath: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolvePing) => {
    const req = request(
      { socketPath, path: '/_ping', method: 'GET', timeout: timeoutMs },
      (res) => {
        res.resume();
        resolvePing(res.statusCode === 200);
      },
    );
    req.on('timeout', () => req.destroy(new Error('ping timeout')));
    req.on('error', () => resolvePing(false));
    req.end();
  });
}

/** True when a unix socket accepts a connection (works across network namespaces). */
export function canConnect(path: string): Promise<boolean> {
  return new Promise((done) => {
    const sock = createConnection({ path });
    sock.setTimeout(1000, () => sock.destroy());
    sock.on('connect', () => {
      sock.destroy();
      done(true);
    });
    sock.on('error', () => done(false));
    sock.on('close', () => done(false));
  });
}

async function logTail(path: string, lines = 15): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .slice(-lines - 1)
    .join('\n');
}

/**
 * Starts `argv` inside netns `netns`, detached into its own session so it outlives this test
 * process (and is not killed by tap's process-group handling), output appended to `logPath`.
 */
export function spawnInNetns(netns: string, argv: string[], logPath: string): number {
  // The log file's fd goes to the daemon as its stdout/stderr, so output never passes through
  // this short-lived process. (No stream object: execa watches streams it is given and kills
  // the subprocess when one closes early.) execa's types only list the literal fds 3-9; at
  // runtime any open fd is handed to the child as is.
  const fd = openSync(logPath, 'a', 0o600) as 3;
  try {
    const sub = execa('nsenter', [`--net=/run/netns/${assertNetnsName(netns)}`, '--', ...argv], {
      detached: true,
      cleanup: false,
      reject: false,
      extendEnv: false,
      env: DAEMON_ENV,
      stdin: 'ignore',
      stdout: fd,
      stderr: fd,
    });
    // The result only matters to the readiness probes, which look at the pid instead.
    sub.then(
      () => undefined,
      () => undefined,
    );
    sub.unref();
    if (sub.pid === undefined) throw new Error(`could not spawn ${argv[0] ?? '?'}`);
    return sub.pid;
  } finally {
    closeSync(fd);
  }
}

export async function waitReady(
  pid: number,
  ready: () => Promise<boolean>,
  what: string,
  logPath: string,
): Promise<void> {
  try {
    await waitFor(
      async () => {
        if (await ready()) return true;
        if (!(await isAlive(pid))) throw new WaitAborted(`${what}: process ${pid} exited`);
        return undefined;
      },
      { what, timeoutMs: 60_000, intervalMs: 50 },
    );
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`${msg}\n--- ${logPath} (tail) ---\n${await logTail(logPath)}`, {
      cause: err,
    });
  }
}

export async function startContainerdProcess(l: EngineLayout): Promise<number> {
  const pid = spawnInNetns(l.netns, ['containerd', ...containerdArgs(l)], l.containerdLog);
  // The gRPC socket accepts connections once containerd is serving.
  const ready = (): Promise<boolean> => canConnect(l.containerdSocket);
  await waitReady(pid, ready, 'containerd socket', l.containerdLog).catch(async (err: unknown) => {
    await stopContainerdProcess(l, pid);
    throw err;
  });
  return pid;
}

/** Starts dockerd; the caller has made sure no dockerd of this layout is running. */
export async function startDockerdProcess(l: EngineLayout): Promise<number> {
  // dockerd refuses to start while its pidfile names an existing process, and a killed dockerd
  // can linger as a zombie where init does not reap promptly.
  await rm(l.pidfile, { force: true });
  const pid = spawnInNetns(l.netns, ['dockerd', ...dockerdArgs(l)], l.dockerdLog);
  const ready = (): Promise<boolean> => pingSocket(l.socketPath);
  await waitReady(pid, ready, 'dockerd to answer /_ping', l.dockerdLog).catch(
    async (err: unknown) => {
      await stopDockerdProcess(l, pid);
      throw err;
    },
  );
  return pid;
}

/** Stops dockerd (it stops its containers first: no live-restore). */
export function stopDockerdProcess(l: EngineLayout, pid: number): Promise<boolean> {
  return terminate(pid, { matches: isDockerdOf(l), graceMs: 60_000 });
}

export function stopContainerdProcess(l: EngineLayout, pid: number): Promise<boolean> {
  return terminate(pid, { matches: isContainerdOf(l), graceMs: 20_000 });
}
