// Unpacking an image into snapshots, as containerd's own client does: for each layer whose chain
// id is not yet a committed snapshot, prepare an active snapshot on the previous one, apply the
// layer with the Diff service, commit it under its chain id. The image config then carries the
// GC label that keeps the top snapshot alive as long as the image record exists.
import { randomBytes } from 'node:crypto';
import { TrafficError } from '../../../lib/errors.js';
import type { ContainerdApi, Descriptor, Mount } from './api.js';
import { setLabels } from './content.js';
import { isAlreadyExists, isNotFound, runtimeError } from './grpc.js';
import { chainIds } from './manifest.js';

export interface UnpackTarget {
  ns: string;
  lease: string;
  snapshotter: string;
}

export async function snapshotExists(
  api: ContainerdApi,
  t: { ns: string; snapshotter: string },
  key: string,
): Promise<boolean> {
  try {
    await api.snapshots.unary('Stat', { snapshotter: t.snapshotter, key }, { ns: t.ns });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw runtimeError(`snapshot stat ${key}`, err);
  }
}

async function removeSnapshot(api: ContainerdApi, t: UnpackTarget, key: string): Promise<void> {
  await api.snapshots
    .unary('Remove', { snapshotter: t.snapshotter, key }, { ns: t.ns, lease: t.lease })
    .catch(() => undefined);
}

async function applyLayer(
  api: ContainerdApi,
  t: UnpackTarget,
  layer: Descriptor,
  expect: { chain: string; parent: string; diffId: string },
): Promise<void> {
  const key = `extract-${randomBytes(6).toString('hex')} ${expect.chain}`;
  const o = { ns: t.ns, lease: t.lease };
  const prepared = await api.snapshots
    .unary<{ mounts: Mount[] }>(
      'Prepare',
      { snapshotter: t.snapshotter, key, parent: expect.parent, labels: {} },
      o,
    )
    .catch((err: unknown) => {
      throw runtimeError(`preparing a snapshot for layer ${layer.digest}`, err);
    });
  try {
    const r = await api.diff.unary<{ applied: Descriptor }>(
      'Apply',
      { diff: layer, mounts: prepared.mounts },
      { ...o, timeoutMs: 10 * 60_000 },
    );
    if (r.applied?.digest !== expect.diffId) {
      throw new TrafficError(
        'TM_RUNTIME',
        `layer ${layer.digest} unpacked to ${r.applied?.digest ?? '?'}, the image says ${expect.diffId}`,
      );
    }
    await api.snapshots.unary('Commit', { snapshotter: t.snapshotter, name: expect.chain, key }, o);
  } catch (err) {
    await removeSnapshot(api, t, key);
    if (isAlreadyExists(err)) return; // unpacked meanwhile by someone else
    throw err instanceof TrafficError ? err : runtimeError(`applying layer ${layer.digest}`, err);
  }
}

/** Makes the image's top snapshot exist; returns its chain id (the proxy rootfs parent). */
export async function unpackImage(
  api: ContainerdApi,
  t: UnpackTarget,
  layers: Descriptor[],
  diffIds: string[],
  configDigest: string,
): Promise<string> {
  if (layers.length !== diffIds.length) {
    throw new TrafficError(
      'TM_RUNTIME',
      `image has ${layers.length} layers but ${diffIds.length} diff ids`,
    );
  }
  const chains = chainIds(diffIds);
  for (const [i, layer] of layers.entries()) {
    const chain = chains[i] ?? '';
    if (await snapshotExists(api, t, chain)) continue;
    const diffId = diffIds[i] ?? '';
    await applyLayer(api, t, layer, { chain, parent: chains[i - 1] ?? '', diffId });
  }
  const top = chains[chains.length - 1] ?? '';
  await setLabels(api, t.ns, configDigest, {
    [`containerd.io/gc.ref.snapshot.${t.snapshotter}`]: top,
  });
  return top;
}
