// containerd leases: everything created while one is attached (content, snapshots, containers)
// is safe from garbage collection until the lease goes. Ours expire on their own, so a crash in
// the middle of a start leaves nothing behind for longer than the expiry.
import { randomBytes } from 'node:crypto';
import type { ContainerdApi } from './api.js';
import { isAlreadyExists, isNotFound, runtimeError } from './grpc.js';

const EXPIRE_LABEL = 'containerd.io/gc.expire';
const LEASE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,75}$/;

export async function createLease(
  api: ContainerdApi,
  ns: string,
  id: string,
  expireMs = 10 * 60_000,
): Promise<string> {
  if (!LEASE_ID.test(id)) throw new Error(`invalid lease id ${id}`);
  const expire = new Date(Date.now() + expireMs).toISOString().replace(/\.\d+Z$/, 'Z');
  try {
    await api.leases.unary('Create', { id, labels: { [EXPIRE_LABEL]: expire } }, { ns });
  } catch (err) {
    if (!isAlreadyExists(err)) throw runtimeError('creating a lease', err);
  }
  return id;
}

/** Deletes a lease (missing is fine); `sync` waits for the garbage collection it triggers. */
export async function deleteLease(
  api: ContainerdApi,
  ns: string,
  id: string,
  sync = false,
): Promise<void> {
  if (!LEASE_ID.test(id)) throw new Error(`invalid lease id ${id}`);
  try {
    await api.leases.unary('Delete', { id, sync }, { ns });
  } catch (err) {
    if (!isNotFound(err)) throw runtimeError(`deleting lease ${id}`, err);
  }
}

/** Runs `fn` holding a fresh lease, deleted afterwards whatever happens. */
export async function withLease<T>(
  api: ContainerdApi,
  ns: string,
  prefix: string,
  fn: (lease: string) => Promise<T>,
): Promise<T> {
  const lease = await createLease(api, ns, `${prefix}-${randomBytes(6).toString('hex')}`);
  try {
    return await fn(lease);
  } finally {
    await deleteLease(api, ns, lease).catch(() => undefined);
  }
}
