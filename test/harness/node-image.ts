// Node 20 base images made locally, so deploy/images/Dockerfile.* build with no registry at all.
// Everything comes from this host: busybox-static for the shell and core tools, Debian's Node 20
// (/usr/bin/node and the libraries ldd names), and for the other two images npm with a cache
// seeded for package-lock.json, or the capture tools the agent runs.
//
//   tm-test/node20:1          busybox + node                  NODE_IMAGE of Dockerfile.control
//   tm-test/node20-capture:1  + iptables (nft and legacy),    NODE_IMAGE of Dockerfile.agent
//                               xtables modules, nft, nsenter
//   tm-test/node20-build:1    + npm, GNU cp and find,         NODE_BUILD_IMAGE of both
//                               npm cache, npm_config_offline
//
// Each carries the hash of its inputs (IMAGE_HASH_LABEL) and is made again only when they change.
import type Dockerode from 'dockerode';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { HostFiles, USRMERGE_LINKS, sharedLibraries } from './host-files.js';
import { IMAGE_HASH_LABEL, drainProgress, existingImage } from './images.js';
import { NpmCacheSeed, lockedTarballs, type Platform } from './npm-cache.js';
import { tarChunks, type TarEntry } from './tar.js';

export const NODE_IMAGE = 'tm-test/node20:1';
export const NODE_CAPTURE_IMAGE = 'tm-test/node20-capture:1';
export const NODE_BUILD_IMAGE = 'tm-test/node20-build:1';

/** Bump when what goes into an image changes in a way the hashed inputs do not show. */
const FORMAT = '1';
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const NPM_CACHE = '/var/cache/npm';
const NODE = '/usr/bin/node';

const APPLETS = (
  'sh ash cat echo ls env cp mv rm mkdir rmdir ln chmod chown find grep sed awk test [ true ' +
  'false id uname head tail sort xargs tar gzip readlink dirname basename which sleep stat ' +
  'touch wc tr cut printf mktemp du ps kill expr'
).split(' ');

/** The names the agent (and `iptables` users in general) call, both backends, both families. */
const CAPTURE_PROGRAMS = [
  ...['iptables', 'ip6tables'].flatMap((fam) =>
    ['', '-nft', '-legacy'].flatMap((backend) =>
      ['', '-save', '-restore'].map((tool) => `/usr/sbin/${fam}${backend}${tool}`),
    ),
  ),
  '/usr/sbin/nft',
  '/usr/bin/nsenter',
];

function sha256(...parts: (string | Iterable<Buffer>)[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    if (typeof p === 'string') h.update(`${p}\0`);
    else for (const chunk of p) h.update(chunk);
  }
  return h.digest('hex');
}

async function assertNode20(): Promise<void> {
  const { stdout } = await execa(NODE, ['--version']);
  if (!/^v20\.\d+\.\d+$/.test(stdout.trim())) {
    throw new Error(`${NODE} is ${stdout.trim()}; the test images need the host's Node 20`);
  }
}

async function rootfsEntries(): Promise<TarEntry[]> {
  const fs = new HostFiles();
  for (const e of USRMERGE_LINKS) fs.put(e);
  for (const d of ['etc', 'proc', 'sys', 'dev', 'var', 'run', 'usr/local/bin', 'usr/local/sbin'])
    fs.put({ type: 'dir', path: d });
  fs.put({ type: 'dir', path: 'root', mode: 0o700 });
  fs.put({ type: 'dir', path: 'tmp', mode: 0o1777 });
  fs.put({ type: 'file', path: 'etc/passwd', data: 'root:x:0:0:root:/root:/bin/sh\n' });
  fs.put({ type: 'file', path: 'etc/group', data: 'root:x:0:\n' });
  const busybox = await readFile('/bin/busybox');
  fs.put({ type: 'file', path: 'usr/bin/busybox', data: busybox, mode: 0o755 });
  for (const a of APPLETS) fs.put({ type: 'symlink', path: `usr/bin/${a}`, target: 'busybox' });
  await fs.addPrograms([NODE]);
  return fs.entries();
}

/** `docker import` of a rootfs, unless the image with the same hash is there. */
async function importRootfs(docker: Dockerode, ref: string, entries: TarEntry[]): Promise<void> {
  const changes = [`ENV PATH=${PATH}`, 'CMD ["node"]'];
  const hash = sha256(FORMAT, JSON.stringify(changes), tarChunks(entries));
  if (await existingImage(docker, ref, hash)) return;
  const [repo, tag] = ref.split(':') as [string, string];
  const stream = await docker.importImage(Readable.from(tarChunks(entries)), {
    repo,
    tag,
    changes: [...changes, `LABEL ${IMAGE_HASH_LABEL}=${hash}`],
  });
  await drainProgress(docker, stream);
  if (!(await existingImage(docker, ref, hash))) throw new Error(`import of ${ref} failed`);
}

interface Layer {
  name: string;
  from: string;
  /** What the image's content depends on besides the base (hashed). */
  inputs: (string | Iterable<Buffer>)[];
  /** Files to add, paths relative to /; called only when the image has to be built. */
  entries: () => Promise<TarEntry[]>;
  env: Record<string, string>;
}

const ENV_VALUE = /^[A-Za-z0-9_./:,=@+-]*$/;

function layerDockerfile(l: Layer, hash: string): string {
  const env = Object.entries(l.env).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || !ENV_VALUE.test(v)) throw new Error(`ENV ${k}=${v}`);
    return `ENV ${k}=${v}`;
  });
  return [`FROM ${l.from}`, 'COPY rootfs/ /', ...env, `LABEL ${IMAGE_HASH_LABEL}=${hash}`, ''].join(
    '\n',
  );
}

/** A base image plus files, one COPY layer, built with no network. */
async function buildLayer(docker: Dockerode, l: Layer): Promise<void> {
  const baseId = (await docker.getImage(l.from).inspect()).Id;
  const hash = sha256(FORMAT, baseId, JSON.stringify(l.env), ...l.inputs);
  if (await existingImage(docker, l.name, hash)) return;
  const files = (await l.entries()).map((e) => ({ ...e, path: `rootfs/${e.path}` }));
  const context: TarEntry[] = [
    { type: 'file', path: 'Dockerfile', data: layerDockerfile(l, hash) },
    { type: 'dir', path: 'rootfs' },
    ...files,
  ];
  const stream = await docker.buildImage(Readable.from(tarChunks(context)), {
    t: l.name,
    rm: true,
    forcerm: true,
    networkmode: 'none',
  });
  await drainProgress(docker, stream);
  if (!(await existingImage(docker, l.name, hash))) throw new Error(`build of ${l.name} failed`);
}

async function captureEntries(): Promise<TarEntry[]> {
  const fs = new HostFiles();
  await fs.addPrograms(CAPTURE_PROGRAMS);
  const libxtables = (await sharedLibraries(['/usr/sbin/xtables-nft-multi'])).find((l) =>
    l.includes('libxtables.so'),
  );
  if (libxtables === undefined) throw new Error('xtables-nft-multi does not link libxtables');
  const modules = join(dirname(await realpath(libxtables)), 'xtables');
  await fs.addTree(modules);
  const moduleFiles = fs
    .entries()
    .filter((e) => e.type === 'file' && `/${e.path}`.startsWith(`${modules}/`))
    .map((e) => `/${e.path}`);
  for (const lib of await sharedLibraries(moduleFiles)) await fs.add(lib);
  return fs.entries();
}

async function npmConfig(key: string): Promise<string> {
  return (await execa('npm', ['config', 'get', key])).stdout.trim();
}

function hostPlatform(): Platform {
  const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } })
    .header;
  const libc = header?.glibcVersionRuntime === undefined ? 'musl' : 'glibc';
  return { os: process.platform, cpu: process.arch, libc };
}

/** The host cache's copy of everything the lock needs; throws naming what is missing. */
async function seededCache(lockText: string, registry: string): Promise<TarEntry[]> {
  const hostCache = join(await npmConfig('cache'), '_cacache');
  const seed = new NpmCacheSeed(hostCache, registry);
  for (const t of lockedTarballs(lockText, hostPlatform())) await seed.add(t);
  if (seed.missing.length > 0) {
    const list = seed.missing.slice(0, 20).join('\n  ');
    throw new Error(
      `the host npm cache ${hostCache} lacks ${seed.missing.length} entries package-lock.json ` +
        `needs (run \`npm ci\` on this host with the registry reachable first):\n  ${list}`,
    );
  }
  return seed.entries().map((e) => ({ ...e, path: `${NPM_CACHE.slice(1)}/_cacache/${e.path}` }));
}

async function npmEntries(): Promise<TarEntry[]> {
  const fs = new HostFiles();
  await fs.addPrograms(['/usr/bin/npm', '/usr/bin/npx', '/usr/bin/cp', '/usr/bin/find']);
  await fs.addTree(dirname(dirname(await realpath('/usr/bin/npm'))));
  return fs.entries();
}

export interface NodeImages {
  /** Runtime base of the control image. */
  node: string;
  /** Runtime base of the agent image (the capture tools included). */
  capture: string;
  /** Build stage base: npm, offline, with a cache for `lockPath`. */
  build: string;
}

/**
 * Makes (or finds) the three images. The build image's hash covers the lock file, npm and the
 * registry, not the packuments copied with it: any packument that lists the locked versions
 * makes the same `npm ci`, and npm refreshes them on the host all the time.
 */
export async function ensureNodeImages(docker: Dockerode, lockPath: string): Promise<NodeImages> {
  await assertNode20();
  await importRootfs(docker, NODE_IMAGE, await rootfsEntries());
  const capture = await captureEntries();
  await buildLayer(docker, {
    name: NODE_CAPTURE_IMAGE,
    from: NODE_IMAGE,
    inputs: [tarChunks(capture)],
    entries: async () => capture,
    env: {},
  });
  const lockText = await readFile(lockPath, 'utf8');
  const registry = await npmConfig('registry');
  const npm = await npmEntries();
  await buildLayer(docker, {
    name: NODE_BUILD_IMAGE,
    from: NODE_IMAGE,
    inputs: [lockText, tarChunks(npm)],
    entries: async () => [...npm, ...(await seededCache(lockText, registry))],
    env: {
      npm_config_offline: 'true',
      npm_config_cache: NPM_CACHE,
      npm_config_registry: registry,
      npm_config_update_notifier: 'false',
    },
  });
  return { node: NODE_IMAGE, capture: NODE_CAPTURE_IMAGE, build: NODE_BUILD_IMAGE };
}
