// The proxy image in our own containerd namespace, unpacked. When our namespace lacks it, it is
// taken from CRI's namespace (k8s.io), pulled there first through CRI PullImage when absent
// (the one pull every containerd version has; 1.6 has no Transfer service), then its blobs are
// committed into our namespace (shared content: no copy) and unpacked into our snapshots.
import { TrafficError } from '../../../lib/errors.js';
import type { ContainerdApi, Descriptor, ImageRecord } from './api.js';
import { readBlob, writeBlob } from './content.js';
import { isNotFound, runtimeError } from './grpc.js';
import { normalizeImageRef } from './image-ref.js';
import { withLease } from './leases.js';
import {
  type ImageConfig,
  isIndex,
  parseConfig,
  parseManifest,
  pickPlatform,
  type Manifest,
} from './manifest.js';
import { unpackImage } from './unpack.js';

/** The namespace CRI (and so kubelet's pulls) keeps images in. Only ever read. */
export const CRI_NAMESPACE = 'k8s.io';
const PULL_TIMEOUT_MS = 5 * 60_000;

export interface ProxyImage {
  name: string;
  /** Chain id of the top layer: the parent of each proxy's rootfs snapshot. */
  chainId: string;
  config: ImageConfig;
}

interface Resolved {
  target: Descriptor;
  /** The platform manifest (the target itself unless that is an index). */
  manifestDesc: Descriptor;
  manifest: Manifest;
  config: ImageConfig;
}

export async function getImage(
  api: ContainerdApi,
  ns: string,
  name: string,
): Promise<ImageRecord | undefined> {
  try {
    const r = await api.images.unary<{ image: ImageRecord }>('Get', { name }, { ns });
    return r.image;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw runtimeError(`image ${name} in ${ns}`, err);
  }
}

async function resolve(api: ContainerdApi, ns: string, target: Descriptor): Promise<Resolved> {
  const top = await readBlob(api, ns, target);
  const manifestDesc = isIndex(target.media_type) ? pickPlatform(top) : target;
  const manifestBuf = manifestDesc === target ? top : await readBlob(api, ns, manifestDesc);
  const manifest = parseManifest(manifestBuf);
  const config = parseConfig(await readBlob(api, ns, manifest.config));
  return { target, manifestDesc, manifest, config };
}

async function pullThroughCri(api: ContainerdApi, name: string): Promise<ImageRecord> {
  const found = await getImage(api, CRI_NAMESPACE, name);
  if (found) return found;
  try {
    await api.image.unary('PullImage', { image: { image: name } }, { timeoutMs: PULL_TIMEOUT_MS });
  } catch (err) {
    const msg = (err as { details?: string }).details ?? (err as Error).message;
    throw new TrafficError('TM_RUNTIME', `pulling image ${name} failed: ${msg}`, { cause: err });
  }
  const pulled = await getImage(api, CRI_NAMESPACE, name);
  if (!pulled) throw new TrafficError('TM_RUNTIME', `pulling image ${name} left no image record`);
  return pulled;
}

/** Commits the image's blobs (with their GC references) into `ns` and records the image. */
async function adopt(
  api: ContainerdApi,
  ns: string,
  lease: string,
  src: ImageRecord,
): Promise<void> {
  const r = await resolve(api, CRI_NAMESPACE, src.target);
  const t = { ns, lease };
  for (const layer of r.manifest.layers) await writeBlob(api, t, layer);
  await writeBlob(api, t, r.manifest.config);
  const refs: Record<string, string> = {
    'containerd.io/gc.ref.content.config': r.manifest.config.digest,
  };
  r.manifest.layers.forEach((l, i) => (refs[`containerd.io/gc.ref.content.l.${i}`] = l.digest));
  await writeBlob(api, { ...t, labels: refs }, r.manifestDesc);
  if (r.manifestDesc !== r.target) {
    const m = { 'containerd.io/gc.ref.content.m.0': r.manifestDesc.digest };
    await writeBlob(api, { ...t, labels: m }, r.target);
  }
  try {
    await api.images.unary(
      'Create',
      { image: { name: src.name, labels: {}, target: src.target } },
      { ns, lease },
    );
  } catch (err) {
    throw runtimeError(`recording image ${src.name} in ${ns}`, err);
  }
}

/** Present and unpacked in `ns` (adopted or pulled first when missing). */
export async function ensureImage(
  api: ContainerdApi,
  o: { ns: string; snapshotter: string },
  ref: string,
): Promise<ProxyImage> {
  const name = normalizeImageRef(ref);
  return withLease(api, o.ns, 'traffic-image', async (lease) => {
    let rec = await getImage(api, o.ns, name);
    if (!rec) {
      await adopt(api, o.ns, lease, await pullThroughCri(api, name));
      rec = await getImage(api, o.ns, name);
    }
    if (!rec) throw new TrafficError('TM_RUNTIME', `image ${name} vanished from ${o.ns}`);
    const r = await resolve(api, o.ns, rec.target);
    const t = { ns: o.ns, lease, snapshotter: o.snapshotter };
    const chainId = await unpackImage(
      api,
      t,
      r.manifest.layers,
      r.config.diffIds,
      r.manifest.config.digest,
    );
    return { name, chainId, config: r.config };
  });
}
