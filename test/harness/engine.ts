// Boot, health check and shutdown of one private engine (containerd + dockerd in a netns).
import { mkdir, readFile, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { EngineLayout } from './engine-layout.js';
import {
  containerdConfigText,
  daemonJsonText,
  isContainerdOf,
  isDockerdOf,
} from './engine-layout.js';
import {
  pingSocket,
  startContainerdProcess,
  startDockerdProcess,
  stopContainerdProcess,
  stopDockerdProcess,
} from './engine-process.js';
import type { EngineState } from './engine-state.js';
import { removeState, writeState } from './engine-state.js';
import { createNetns, deleteNetns, run } from './netns.js';
import { isOurProcess } from './proc.js';
import { waitFor } from './wait.js';

/**
 * Both daemons alive, with our command lines, and dockerd answering. While both processes are
 * alive, a failing ping is retried for `patienceMs`: a busy engine must not be taken for a dead
 * one and replaced under the feet of the test files using it.
 */
export async function isHealthy(
  l: EngineLayout,
  st: EngineState,
  patienceMs = 0,
): Promise<boolean> {
  const alive = async (): Promise<boolean> =>
    (await isOurProcess(st.dockerdPid, isDockerdOf(l))) &&
    (await isOurProcess(st.containerdPid, isContainerdOf(l)));
  if (!(await alive())) return false;
  if (await pingSocket(l.socketPath)) return true;
  if (patienceMs <= 0) return false;
  return waitFor(
    async () => {
      if (await pingSocket(l.socketPath, 5000)) return true;
      return (await alive()) ? undefined : false;
    },
    { what: 'dockerd to answer /_ping', timeoutMs: patienceMs, intervalMs: 500 },
  ).catch(() => false);
}

async function prepareFiles(l: EngineLayout): Promise<void> {
  await mkdir(l.containerdDir, { recursive: true, mode: 0o700 });
  await writeFile(l.daemonJson, daemonJsonText(l), { mode: 0o600 });
  await writeFile(l.containerdConfig, containerdConfigText(l), { mode: 0o600 });
  await rm(l.socketPath, { force: true });
  await rm(l.containerdSocket, { force: true });
  await rm(`${l.containerdSocket}.ttrpc`, { force: true });
}

/** Starts a fresh engine in `l` (whatever was there must already be stopped) and records it. */
export async function bootEngine(
  l: EngineLayout,
  owner: { shared: boolean; ownerPid: number },
): Promise<EngineState> {
  await prepareFiles(l);
  const t0 = performance.now();
  await deleteNetns(l.netns);
  await createNetns(l.netns);
  let containerdPid: number | undefined;
  try {
    containerdPid = await startContainerdProcess(l);
    const dockerdPid = await startDockerdProcess(l);
    const state: EngineState = {
      version: 1,
      dir: l.dir,
      id: l.id,
      netns: l.netns,
      dockerdPid,
      containerdPid,
      shared: owner.shared,
      ownerPid: owner.ownerPid,
      startedAt: new Date().toISOString(),
      startupMs: Math.round(performance.now() - t0),
    };
    await writeState(l.statePath, state);
    return state;
  } catch (err) {
    if (containerdPid !== undefined) await stopContainerdProcess(l, containerdPid);
    await deleteNetns(l.netns);
    throw err;
  }
}

async function pidFromFile(path: string): Promise<number | undefined> {
  const n = Number((await readFile(path, 'utf8').catch(() => '')).trim());
  return Number.isSafeInteger(n) && n > 1 ? n : undefined;
}

/** Empty cgroup directories dockerd created for --cgroup-parent (cgroup v1 and v2). */
async function removeCgroupParent(l: EngineLayout): Promise<void> {
  const root = '/sys/fs/cgroup';
  const controllers = await readdir(root).catch(() => [] as string[]);
  for (const c of ['', ...controllers]) {
    await rmdir(join(root, c, l.cgroupParent)).catch(() => undefined);
  }
}

/**
 * Stops whatever of this engine still runs (pids from the state and dockerd's pidfile, each only
 * if its command line is ours), deletes the netns and the state file. Data root stays.
 */
export async function shutdownEngine(l: EngineLayout, st: EngineState | undefined): Promise<void> {
  const dockerdPids = [st?.dockerdPid, await pidFromFile(l.pidfile)];
  for (const pid of new Set(dockerdPids)) {
    if (pid !== undefined) await stopDockerdProcess(l, pid);
  }
  if (st) await stopContainerdProcess(l, st.containerdPid);
  await deleteNetns(l.netns);
  await unmountAllUnder(l.dir);
  await rm(l.socketPath, { force: true });
  await rm(l.pidfile, { force: true });
  await removeState(l.statePath);
  await removeCgroupParent(l);
}

export async function mountsUnder(dir: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((mp) => mp.startsWith(`${dir}/`));
}

/**
 * A dockerd that was killed leaves mounts in its directories (the data root's self bind mount,
 * overlay and shm mounts of its containers, netns bind mounts), and a later dockerd does not
 * undo the data root one. Called only once both daemons are stopped; deepest mounts first.
 */
export async function unmountAllUnder(dir: string): Promise<void> {
  const mounts = [...new Set(await mountsUnder(dir))].sort((a, b) => b.length - a.length);
  for (const mp of mounts) {
    const r = await run(['umount', mp], { reject: false });
    if (r.exitCode !== 0) await run(['umount', '-l', mp], { reject: false });
  }
}

/** Deletes a dedicated engine's directory, refusing while anything is still mounted below it. */
export async function removeEngineDir(l: EngineLayout): Promise<void> {
  const mounts = await mountsUnder(l.dir);
  if (mounts.length > 0) {
    throw new Error(`not removing ${l.dir}: still mounted: ${mounts.slice(0, 3).join(', ')}`);
  }
  await rm(l.dir, { recursive: true, force: true });
}
