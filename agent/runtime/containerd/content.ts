// Blobs in containerd's content store, per namespace: read (digest-checked), test for presence,
// write bytes, or "share" a blob another namespace already holds (containerd's default shared
// content policy commits it into ours without copying), and set garbage-collection labels.
import { createHash } from 'node:crypto';
import { TrafficError } from '../../../lib/errors.js';
import type { ContainerdApi, Descriptor } from './api.js';
import { isAlreadyExists, isNotFound, runtimeError, type CallOptions } from './grpc.js';
import { validDigest } from './image-ref.js';

const CHUNK = 1 << 20;
/** Manifests and configs are small; anything larger is refused when read into memory. */
const MAX_READ = 64 << 20;

export async function blobExists(api: ContainerdApi, ns: string, digest: string): Promise<boolean> {
  try {
    await api.content.unary('Info', { digest: validDigest(digest) }, { ns });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw runtimeError(`content info ${digest}`, err);
  }
}

export async function readBlob(api: ContainerdApi, ns: string, desc: Descriptor): Promise<Buffer> {
  if (desc.size > MAX_READ) throw new TrafficError('TM_RUNTIME', `blob ${desc.digest} too large`);
  let parts: Array<{ data: Buffer }>;
  try {
    parts = await api.content.collect('Read', { digest: validDigest(desc.digest) }, { ns });
  } catch (err) {
    throw runtimeError(`reading ${desc.digest} in namespace ${ns}`, err);
  }
  const buf = Buffer.concat(parts.map((p) => p.data));
  const actual = `sha256:${createHash('sha256').update(buf).digest('hex')}`;
  if (actual !== desc.digest) {
    throw new TrafficError('TM_RUNTIME', `blob ${desc.digest} read back as ${actual}`);
  }
  return buf;
}

function runWrite(api: ContainerdApi, o: CallOptions, msgs: unknown[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const call = api.content.duplex('Write', { ...o, timeoutMs: 10 * 60_000 });
    call.on('data', () => undefined);
    call.on('error', reject);
    call.on('end', () => resolve());
    for (const m of msgs) call.write(m);
    call.end();
  });
}

export interface WriteTarget {
  ns: string;
  lease: string;
  labels?: Record<string, string>;
}

/**
 * Puts `desc` into namespace `t.ns`: with `data`, by writing it; without, by committing the blob
 * the daemon already holds for another namespace. A blob already present is fine.
 */
export async function writeBlob(
  api: ContainerdApi,
  t: WriteTarget,
  desc: Descriptor,
  data?: Buffer,
): Promise<void> {
  const expected = validDigest(desc.digest);
  const ref = `traffic-manager-${expected.slice('sha256:'.length)}`;
  const base = { ref, total: desc.size };
  const msgs: unknown[] = [];
  if (data) {
    for (let off = 0; off < data.length; off += CHUNK) {
      const first = off === 0 ? { expected } : {};
      msgs.push({
        ...base,
        ...first,
        action: 'WRITE',
        offset: off,
        data: data.subarray(off, off + CHUNK),
      });
    }
  }
  // The offset must be where the writer stands (the whole blob when shared): a commit at offset 0
  // would first truncate a shared blob to nothing.
  msgs.push({ ...base, action: 'COMMIT', expected, offset: desc.size, labels: t.labels ?? {} });
  try {
    await runWrite(api, { ns: t.ns, lease: t.lease }, msgs);
  } catch (err) {
    if (!isAlreadyExists(err)) throw runtimeError(`writing ${expected} into ${t.ns}`, err);
    if (t.labels) await setLabels(api, t.ns, expected, t.labels);
  }
}

export async function setLabels(
  api: ContainerdApi,
  ns: string,
  digest: string,
  labels: Record<string, string>,
): Promise<void> {
  const paths = Object.keys(labels).map((k) => `labels.${k}`);
  try {
    await api.content.unary(
      'Update',
      { info: { digest: validDigest(digest), labels }, update_mask: { paths } },
      { ns },
    );
  } catch (err) {
    throw runtimeError(`labelling ${digest}`, err);
  }
}
