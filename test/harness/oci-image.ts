// Test images for the private containerd, no registry: OCI image blobs built in Node (layers are
// tars from tar.ts, uncompressed), written into a containerd namespace through the Content API,
// recorded with Images.Create and unpacked with the agent's own unpacker (what `ctr images
// import` does). The three images: pause, busybox and the stand-in Envoy (busybox + scripts).
import { createHash } from 'node:crypto';
import type { ContainerdApi, Descriptor } from '../../agent/runtime/containerd/api.js';
import { writeBlob } from '../../agent/runtime/containerd/content.js';
import { isAlreadyExists } from '../../agent/runtime/containerd/grpc.js';
import { withLease } from '../../agent/runtime/containerd/leases.js';
import { MEDIA } from '../../agent/runtime/containerd/manifest.js';
import { unpackImage } from '../../agent/runtime/containerd/unpack.js';
import { busyboxEntries } from './images.js';
import { STANDIN_ENTRYPOINT_SCRIPT, STANDIN_REPLY_SCRIPT } from './standin-proxy.js';
import { buildTar, type TarEntry } from './tar.js';

export interface OciImageSpec {
  /** Fully qualified name, e.g. docker.io/tm-test/busybox:1. */
  name: string;
  layers: TarEntry[][];
  env?: string[];
  entrypoint?: string[];
  cmd?: string[];
}

interface Blob {
  desc: Descriptor;
  data: Buffer;
}

function blob(mediaType: string, data: Buffer): Blob {
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  return { desc: { media_type: mediaType, digest, size: data.length }, data };
}

function ociJson(o: unknown): Buffer {
  return Buffer.from(JSON.stringify(o));
}

export function buildOciImage(spec: OciImageSpec): {
  manifest: Blob;
  config: Blob;
  layers: Blob[];
} {
  const layers = spec.layers.map((entries) =>
    blob('application/vnd.oci.image.layer.v1.tar', buildTar(entries)),
  );
  const config = blob(
    'application/vnd.oci.image.config.v1+json',
    ociJson({
      architecture: 'amd64',
      os: 'linux',
      config: {
        Env: spec.env ?? ['PATH=/bin'],
        ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
        ...(spec.cmd ? { Cmd: spec.cmd } : {}),
      },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.desc.digest) },
    }),
  );
  const toJson = (d: Descriptor): unknown => ({
    mediaType: d.media_type,
    digest: d.digest,
    size: d.size,
  });
  const manifest = blob(
    MEDIA.ociManifest,
    ociJson({
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: toJson(config.desc),
      layers: layers.map((l) => toJson(l.desc)),
    }),
  );
  return { manifest, config, layers };
}

/** Imports `spec` into namespace `ns` and unpacks it; returns the top chain id. */
export async function importOciImage(
  api: ContainerdApi,
  ns: string,
  spec: OciImageSpec,
): Promise<string> {
  const img = buildOciImage(spec);
  return withLease(api, ns, 'tm-test-import', async (lease) => {
    const t = { ns, lease };
    for (const l of img.layers) await writeBlob(api, t, l.desc, l.data);
    await writeBlob(api, t, img.config.desc, img.config.data);
    const refs: Record<string, string> = {
      'containerd.io/gc.ref.content.config': img.config.desc.digest,
    };
    img.layers.forEach((l, i) => (refs[`containerd.io/gc.ref.content.l.${i}`] = l.desc.digest));
    await writeBlob(api, { ...t, labels: refs }, img.manifest.desc, img.manifest.data);
    const image = { name: spec.name, labels: {}, target: img.manifest.desc };
    await api.images.unary('Create', { image }, { ns, lease }).catch((err: unknown) => {
      if (!isAlreadyExists(err)) throw err;
    });
    const diffIds = img.layers.map((l) => l.desc.digest);
    const layers = img.layers.map((l) => l.desc);
    return unpackImage(
      api,
      { ns, lease, snapshotter: 'overlayfs' },
      layers,
      diffIds,
      img.config.desc.digest,
    );
  });
}

export const CTRD_IMAGES = {
  pause: 'docker.io/tm-test/pause:1',
  busybox: 'docker.io/tm-test/busybox:1',
};

/** `docker.io/tm-test/standin-envoy:<admin>-<capture>`, as the agent normalises the Docker name. */
export function standInEnvoyName(ports: { admin: number; capture: number }): string {
  return `docker.io/tm-test/standin-envoy:${ports.admin}-${ports.capture}`;
}

export async function testImages(ports = { admin: 8900, capture: 10000 }): Promise<OciImageSpec[]> {
  const base = await busyboxEntries();
  const standin: TarEntry[] = [
    { type: 'file', path: 'standin-proxy', data: STANDIN_ENTRYPOINT_SCRIPT, mode: 0o755 },
    { type: 'file', path: 'standin-reply', data: STANDIN_REPLY_SCRIPT, mode: 0o755 },
    { type: 'dir', path: 'etc' },
    {
      type: 'file',
      path: 'etc/standin-envoy',
      data: `admin ${ports.admin} capture ${ports.capture}\n`,
    },
  ];
  return [
    { name: CTRD_IMAGES.pause, layers: [base], entrypoint: ['/pause'] },
    { name: CTRD_IMAGES.busybox, layers: [base], cmd: ['/bin/sh'] },
    {
      name: standInEnvoyName(ports),
      layers: [base, standin],
      env: ['PATH=/bin', `ADMIN_PORT=${ports.admin}`, `CAPTURE_PORT=${ports.capture}`],
      entrypoint: ['/standin-proxy'],
    },
  ];
}
