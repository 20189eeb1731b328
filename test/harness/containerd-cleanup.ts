// Stopping a private containerd and removing every trace of it, also after a failed test or a
// killed owner. Only processes proven ours are signalled: the containerd pid from our state file
// (its argv names our config), runc shims whose argv names our socket, and their children.
// Then our mounts, our netns, our cgroup parent and our directory go.
import { readdir, readFile, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { connectContainerd } from '../../agent/runtime/containerd/api.js';
import { stopAndDelete } from '../../agent/runtime/containerd/task.js';
import type { CtrdLayout } from './containerd-layout.js';
import { isCtrdOf, isShimOf } from './containerd-layout.js';
import { mountsUnder, unmountAllUnder } from './engine.js';
import { deleteNetns } from './netns.js';
import { isOurProcess, readCmdline, terminate } from './proc.js';
import { connectHarnessCri } from './cri-client.js';

export interface CtrdState {
  version: 1;
  dir: string;
  id: string;
  pid: number;
  ownerPid: number;
  /** containerd namespaces whose containers teardown removes (besides CRI's). */
  namespaces: string[];
}

/** Best effort, while containerd answers: CRI sandboxes, then native containers of `namespaces`. */
async function removeWorkloads(l: CtrdLayout, namespaces: string[]): Promise<void> {
  const cri = connectHarnessCri(l.socket);
  const api = connectContainerd(l.socket);
  try {
    const r = await cri.runtime.unary<{ items: Array<{ id: string }> }>(
      'ListPodSandbox',
      {},
      { timeoutMs: 5000 },
    );
    for (const s of r.items) {
      await cri.runtime
        .unary('StopPodSandbox', { pod_sandbox_id: s.id }, { timeoutMs: 30_000 })
        .catch(() => undefined);
      await cri.runtime
        .unary('RemovePodSandbox', { pod_sandbox_id: s.id }, { timeoutMs: 30_000 })
        .catch(() => undefined);
    }
    for (const ns of namespaces) {
      const c = await api.containers.unary<{ containers: Array<{ id: string }> }>(
        'List',
        { filters: [] },
        { ns, timeoutMs: 5000 },
      );
      for (const { id } of c.containers) {
        await stopAndDelete(api, { ns, snapshotter: 'overlayfs' }, id, 0).catch(() => undefined);
      }
    }
  } catch {
    // containerd not answering: the process-level steps below still run
  } finally {
    cri.close();
    api.close();
  }
}

async function procPids(): Promise<number[]> {
  const names = await readdir('/proc').catch(() => [] as string[]);
  return names
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((n) => n > 1);
}

async function parentOf(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(fields[1]);
  return Number.isSafeInteger(ppid) ? ppid : undefined;
}

/** Shims left by a containerd that died: their container processes first, then the shims. */
async function killShims(l: CtrdLayout): Promise<void> {
  const pids = await procPids();
  const shims: number[] = [];
  for (const pid of pids) {
    const argv = await readCmdline(pid);
    if (argv && isShimOf(l)(argv)) shims.push(pid);
  }
  for (const shim of shims) {
    for (const pid of pids) {
      if ((await parentOf(pid)) !== shim) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await terminate(shim, { matches: isShimOf(l), graceMs: 5000 }).catch(() => false);
  }
}

async function removeCgroupTree(path: string): Promise<void> {
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  for (const e of entries) if (e.isDirectory()) await removeCgroupTree(join(path, e.name));
  await rmdir(path).catch(() => undefined);
}

async function removeCgroups(l: CtrdLayout): Promise<void> {
  const root = '/sys/fs/cgroup';
  const controllers = await readdir(root).catch(() => [] as string[]);
  for (const c of ['', ...controllers]) await removeCgroupTree(join(root, c, l.cgroupParent));
}

/** Everything of this containerd goes; `removeDir` false keeps the directory (for a restart). */
export async function shutdownCtrd(
  l: CtrdLayout,
  st: CtrdState | undefined,
  removeDir = true,
): Promise<void> {
  if (st && (await isOurProcess(st.pid, isCtrdOf(l)))) await removeWorkloads(l, st.namespaces);
  if (st) await terminate(st.pid, { matches: isCtrdOf(l), graceMs: 20_000 });
  await killShims(l);
  await unmountAllUnder(l.dir);
  await deleteNetns(l.netns);
  await removeCgroups(l);
  // runc's state root for the proxies' namespace (runc removes each container's entry; the
  // namespace directory stays). Removed only when empty: another private containerd may use it.
  await rmdir('/run/containerd/runc/traffic-manager').catch(() => undefined);
  if (!removeDir) return;
  const left = await mountsUnder(l.dir);
  if (left.length > 0)
    throw new Error(`not removing ${l.dir}: still mounted: ${left.slice(0, 3).join(', ')}`);
  await rm(l.dir, { recursive: true, force: true });
}
