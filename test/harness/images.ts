// Test images built locally, no registry: a busybox rootfs imported from a tar we write ourselves
// (Debian's statically linked /bin/busybox plus applet symlinks), and derived images built with
// the classic builder from a context holding only COPY'd files. Both are idempotent: an image
// whose `tm.test.image.hash` label matches its inputs is not built again.
import type Dockerode from 'dockerode';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { buildTar } from './tar.js';
import type { TarEntry } from './tar.js';
import { assertImageRef } from './validate.js';

export const BUSYBOX_IMAGE = 'tm-test/busybox:1';
export const IMAGE_HASH_LABEL = 'tm.test.image.hash';
const BUSYBOX_BINARY = '/bin/busybox';

const APPLETS = (
  'sh ash cat echo ls ps sleep nc httpd wget ip ifconfig netstat kill mkdir rm cp mv env grep ' +
  'sed awk head tail tr wc true false test [ printf hostname id date touch chmod ln readlink ' +
  'timeout seq tee sort uniq cut xargs od hexdump nslookup ping route pidof stat sync uname ' +
  'usleep which whoami telnet'
).split(' ');

/** pid 1 of pod sandboxes: sleeps until SIGTERM/SIGINT, then exits 0 (like kubelet's pause). */
const PAUSE = `#!/bin/sh
trap 'exit 0' TERM INT
while :; do sleep 3600 & wait $!; done
`;

export type ImageFile = string | Buffer | { contents: string | Buffer; mode?: number };

function sha256(...parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** The image's id when it exists and carries `hash`, else undefined. */
export async function existingImage(
  docker: Dockerode,
  ref: string,
  hash: string,
): Promise<string | undefined> {
  try {
    const info = await docker.getImage(ref).inspect();
    return info.Config.Labels?.[IMAGE_HASH_LABEL] === hash ? info.Id : undefined;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

/** Reads a docker progress stream to its end; throws on an error event. */
export async function drainProgress(
  docker: Dockerode,
  stream: NodeJS.ReadableStream,
): Promise<void> {
  const events = await new Promise<unknown[]>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, out: unknown[]) =>
      err ? reject(err) : resolve(out),
    );
  });
  for (const e of events) {
    const ev = e as { error?: string; errorDetail?: { message?: string } };
    if (ev.error !== undefined) throw new Error(ev.errorDetail?.message ?? ev.error);
  }
}

/** The busybox rootfs as tar entries (also the base layer of the containerd test images). */
export async function busyboxEntries(): Promise<TarEntry[]> {
  return [
    ...['bin', 'etc', 'proc', 'sys', 'dev', 'root', 'var', 'www'].map((path): TarEntry => ({
      type: 'dir',
      path,
    })),
    { type: 'dir', path: 'tmp', mode: 0o1777 },
    { type: 'file', path: 'bin/busybox', data: await readFile(BUSYBOX_BINARY), mode: 0o755 },
    ...APPLETS.map((a): TarEntry => ({ type: 'symlink', path: `bin/${a}`, target: 'busybox' })),
    { type: 'file', path: 'pause', data: PAUSE, mode: 0o755 },
    { type: 'file', path: 'etc/passwd', data: 'root:x:0:0:root:/root:/bin/sh\n' },
    { type: 'file', path: 'etc/group', data: 'root:x:0:\n' },
  ];
}

async function busyboxRootfs(): Promise<Buffer> {
  return buildTar(await busyboxEntries());
}

/** tm-test/busybox:1 — imported once per engine (skipped when the same rootfs is present). */
export async function ensureBusyboxImage(docker: Dockerode): Promise<string> {
  const tar = await busyboxRootfs();
  const hash = sha256(tar);
  if (await existingImage(docker, BUSYBOX_IMAGE, hash)) return BUSYBOX_IMAGE;
  const [repo, tag] = BUSYBOX_IMAGE.split(':') as [string, string];
  const changes = ['ENV PATH=/bin', 'CMD ["/bin/sh"]', `LABEL ${IMAGE_HASH_LABEL}=${hash}`];
  const stream = await docker.importImage(Readable.from([tar]), { repo, tag, changes });
  await drainProgress(docker, stream);
  if (!(await existingImage(docker, BUSYBOX_IMAGE, hash))) {
    throw new Error(`import of ${BUSYBOX_IMAGE} did not produce the image`);
  }
  return BUSYBOX_IMAGE;
}

export interface BuildImageSpec {
  /** repo:tag of the new image. */
  name: string;
  /** Base image; default tm-test/busybox:1 (ensured first). */
  from?: string;
  /** Absolute path in the image -> contents (files are 0644 unless a mode is given). */
  files: Record<string, ImageFile>;
  entrypoint?: string[];
  cmd?: string[];
  env?: Record<string, string>;
}

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENV_VALUE = /^[A-Za-z0-9_./:,=@+-]*$/;

function fileEntries(files: Record<string, ImageFile>): TarEntry[] {
  return Object.entries(files).map(([path, f]): TarEntry => {
    if (!path.startsWith('/')) throw new Error(`image file path must be absolute: ${path}`);
    const isObj = typeof f === 'object' && !Buffer.isBuffer(f);
    const data = isObj ? f.contents : f;
    const mode = isObj ? (f.mode ?? 0o644) : 0o644;
    return { type: 'file', path: `rootfs${path}`, data, mode };
  });
}

function dockerfile(spec: BuildImageSpec, from: string, hash: string): string {
  const lines = [`FROM ${from}`, 'COPY rootfs/ /'];
  for (const [k, v] of Object.entries(spec.env ?? {})) {
    if (!ENV_KEY.test(k) || !ENV_VALUE.test(v)) throw new Error(`unsupported ENV ${k}=${v}`);
    lines.push(`ENV ${k}=${v}`);
  }
  if (spec.entrypoint) lines.push(`ENTRYPOINT ${JSON.stringify(spec.entrypoint)}`);
  if (spec.cmd) lines.push(`CMD ${JSON.stringify(spec.cmd)}`);
  lines.push(`LABEL ${IMAGE_HASH_LABEL}=${hash}`);
  return `${lines.join('\n')}\n`;
}

/** Builds `spec.name` from a base image plus files; skipped when identical inputs were built. */
export async function buildImage(docker: Dockerode, spec: BuildImageSpec): Promise<string> {
  assertImageRef(spec.name);
  const from =
    spec.from === undefined ? await ensureBusyboxImage(docker) : assertImageRef(spec.from);
  const baseId = (await docker.getImage(from).inspect()).Id;
  const files = fileEntries(spec.files);
  const hash = sha256(baseId, JSON.stringify({ ...spec, files: undefined }), buildTar(files));
  if (await existingImage(docker, spec.name, hash)) return spec.name;
  const context = buildTar([
    { type: 'file', path: 'Dockerfile', data: dockerfile(spec, from, hash) },
    { type: 'dir', path: 'rootfs' },
    ...files,
  ]);
  const stream = await docker.buildImage(Readable.from([context]), {
    t: spec.name,
    rm: true,
    forcerm: true,
  });
  await drainProgress(docker, stream);
  if (!(await existingImage(docker, spec.name, hash)))
    throw new Error(`build of ${spec.name} failed`);
  return spec.name;
}
