// A proxy container's life on containerd's native API. Start: rootfs snapshot on the image's
// chain id, container record (OCI spec, labels), task with file:// stdio, start; all under a
// lease until the container holds what it needs. Stop, in the only safe order (containerd 1.6
// deletes a container record even while its task runs, leaving a task nothing can reach):
// kill (SIGTERM), wait up to the grace period, SIGKILL and wait, delete the task, delete the
// container, remove the snapshot and any lease left by an interrupted start.
import type { ContainerdApi, Mount } from './api.js';
import { grpcCode, isNotFound, runtimeError } from './grpc.js';
import { deleteLease } from './leases.js';

export const RUNC_V2 = 'io.containerd.runc.v2';
const DEADLINE_EXCEEDED = 4;

export interface StartInput {
  ns: string;
  lease: string;
  id: string;
  image: string;
  chainId: string;
  snapshotter: string;
  labels: Record<string, string>;
  spec: { type_url: string; value: Buffer };
  logFile: string;
}

export async function startTask(api: ContainerdApi, s: StartInput): Promise<number> {
  const o = { ns: s.ns, lease: s.lease };
  const prepared = await api.snapshots
    .unary<{ mounts: Mount[] }>(
      'Prepare',
      { snapshotter: s.snapshotter, key: s.id, parent: s.chainId, labels: {} },
      o,
    )
    .catch((err: unknown) => {
      throw runtimeError(`preparing the rootfs of ${s.id.slice(0, 12)}`, err);
    });
  const container = {
    id: s.id,
    labels: s.labels,
    image: s.image,
    runtime: { name: RUNC_V2 },
    spec: s.spec,
    snapshotter: s.snapshotter,
    snapshot_key: s.id,
  };
  await api.containers.unary('Create', { container }, o).catch((err: unknown) => {
    throw runtimeError(`creating container ${s.id.slice(0, 12)}`, err);
  });
  const io = `file://${s.logFile}`;
  const task = {
    container_id: s.id,
    rootfs: prepared.mounts,
    stdout: io,
    stderr: io,
    terminal: false,
  };
  await api.tasks.unary('Create', task, { ...o, timeoutMs: 60_000 }).catch((err: unknown) => {
    throw runtimeError(`creating the task of ${s.id.slice(0, 12)}`, err);
  });
  const started = await api.tasks
    .unary<{ pid: number }>('Start', { container_id: s.id }, { ...o, timeoutMs: 60_000 })
    .catch((err: unknown) => {
      throw runtimeError(`starting ${s.id.slice(0, 12)}`, err);
    });
  return started.pid;
}

async function ignoreMissing(what: string, p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isNotFound(err)) throw runtimeError(what, err);
  }
}

async function kill(api: ContainerdApi, ns: string, id: string, signal: number): Promise<void> {
  try {
    await api.tasks.unary('Kill', { container_id: id, signal, all: true }, { ns });
  } catch (err) {
    // NotFound: no task, or its process already exited.
    if (!isNotFound(err)) throw runtimeError(`signalling ${id.slice(0, 12)}`, err);
  }
}

/** True when the task exited (or there is none) within `ms`. */
async function waitExit(api: ContainerdApi, ns: string, id: string, ms: number): Promise<boolean> {
  try {
    await api.tasks.unary('Wait', { container_id: id }, { ns, timeoutMs: ms });
    return true;
  } catch (err) {
    if (isNotFound(err)) return true;
    if (grpcCode(err) === DEADLINE_EXCEEDED) return false;
    throw runtimeError(`waiting for ${id.slice(0, 12)}`, err);
  }
}

export async function stopAndDelete(
  api: ContainerdApi,
  t: { ns: string; snapshotter: string },
  id: string,
  graceSeconds: number,
): Promise<void> {
  const ns = t.ns;
  await kill(api, ns, id, 15);
  if (!(await waitExit(api, ns, id, Math.max(100, graceSeconds * 1000)))) {
    await kill(api, ns, id, 9);
    await waitExit(api, ns, id, 10_000);
  }
  await ignoreMissing(
    `deleting the task of ${id.slice(0, 12)}`,
    api.tasks.unary('Delete', { container_id: id }, { ns }),
  );
  await ignoreMissing(
    `deleting container ${id.slice(0, 12)}`,
    api.containers.unary('Delete', { id }, { ns }),
  );
  await ignoreMissing(
    `removing the rootfs of ${id.slice(0, 12)}`,
    api.snapshots.unary('Remove', { snapshotter: t.snapshotter, key: id }, { ns }),
  );
  await deleteLease(api, ns, proxyLeaseId(id));
}

/** The lease a proxy start holds (deterministic, so a teardown finds one a crash left behind). */
export function proxyLeaseId(id: string): string {
  return `tp-${id}`;
}
