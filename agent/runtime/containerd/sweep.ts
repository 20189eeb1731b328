// What an agent killed in the middle of a proxy start leaves: a `tp-<id>` lease holding a rootfs
// snapshot, with no container record (the crash came before Containers.Create) or with one (then
// the proxy is listed, and its removal releases both). Leases older than a minute whose container
// never appeared are released here, with their snapshot; the expiry label would free them anyway.
import type { ContainerdApi, Timestamp } from './api.js';
import { toDate } from './api.js';
import { isNotFound } from './grpc.js';
import { deleteLease } from './leases.js';

const MIN_AGE_MS = 60_000;
const PROXY_LEASE = /^tp-([0-9a-f]{64})$/;

export async function sweepStartLeases(
  api: ContainerdApi,
  t: { ns: string; snapshotter: string },
  containerIds: Set<string>,
  now = Date.now(),
): Promise<number> {
  const r = await api.leases.unary<{ leases: Array<{ id: string; created_at: Timestamp | null }> }>(
    'List',
    { filters: [] },
    { ns: t.ns },
  );
  let released = 0;
  for (const l of r.leases) {
    const id = PROXY_LEASE.exec(l.id)?.[1];
    if (!id || containerIds.has(id) || now - toDate(l.created_at).getTime() < MIN_AGE_MS) continue;
    await api.snapshots
      .unary('Remove', { snapshotter: t.snapshotter, key: id }, { ns: t.ns })
      .catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    await deleteLease(api, t.ns, l.id);
    released++;
  }
  return released;
}
