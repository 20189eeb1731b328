// Where a private engine keeps everything, and the exact command lines of its two daemons.
// Every path lives under one directory; nothing points at the host's /var/lib/docker,
// /var/run/docker.sock, /run/containerd/containerd.sock, /etc/docker or /etc/containerd.
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertNetnsName } from './validate.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The shared engine's state directory (override with TM_E2E_DOCKER_DIR). */
export function sharedEngineDir(): string {
  return resolve(process.env.TM_E2E_DOCKER_DIR ?? join(repoRoot, '.cache', 'e2e-docker'));
}

export interface EngineLayout {
  dir: string;
  /** Short id: part of the netns name and the cgroup parent. */
  id: string;
  netns: string;
  socketPath: string;
  dataRoot: string;
  execRoot: string;
  pidfile: string;
  daemonJson: string;
  trustKey: string;
  cgroupParent: string;
  containerdDir: string;
  containerdConfig: string;
  containerdSocket: string;
  dockerdLog: string;
  containerdLog: string;
  statePath: string;
  lockPath: string;
}

const SAFE_DIR = /^\/[A-Za-z0-9._/-]+$/;

/** The id of the engine living in `dir`: derived from the path, so it is stable across runs. */
export function engineIdFor(dir: string): string {
  return createHash('sha256').update(dir).digest('hex').slice(0, 10);
}

export function engineLayout(dir: string, id = engineIdFor(dir)): EngineLayout {
  if (!SAFE_DIR.test(dir)) throw new Error(`unsafe engine directory: ${dir}`);
  const socketPath = join(dir, 'docker.sock');
  const containerdDir = join(dir, 'containerd');
  const containerdSocket = join(containerdDir, 'containerd.sock');
  // sun_path holds 108 bytes; containerd appends ".ttrpc" to its socket name.
  if (containerdSocket.length + 6 > 100) throw new Error(`engine directory too long: ${dir}`);
  return {
    dir,
    id,
    netns: assertNetnsName(`tm-e2e-${id}`),
    socketPath,
    dataRoot: join(dir, 'data'),
    execRoot: join(dir, 'exec'),
    pidfile: join(dir, 'docker.pid'),
    daemonJson: join(dir, 'daemon.json'),
    trustKey: join(dir, 'key.json'),
    cgroupParent: `/tm-e2e-${id}`,
    containerdDir,
    containerdConfig: join(containerdDir, 'config.toml'),
    containerdSocket,
    dockerdLog: join(dir, 'dockerd.log'),
    containerdLog: join(dir, 'containerd.log'),
    statePath: join(dir, 'state.json'),
    lockPath: join(dir, 'lock'),
  };
}

/** containerd config: own root, state, sockets; no CRI, no debug or metrics listeners. */
export function containerdConfigText(l: EngineLayout): string {
  const q = (s: string): string => JSON.stringify(s);
  return [
    'version = 2',
    `root = ${q(join(l.containerdDir, 'root'))}`,
    `state = ${q(join(l.containerdDir, 'state'))}`,
    'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '[grpc]',
    `  address = ${q(l.containerdSocket)}`,
    '[ttrpc]',
    `  address = ${q(`${l.containerdSocket}.ttrpc`)}`,
    '[debug]',
    '  address = ""',
    '[metrics]',
    '  address = ""',
    '[plugins]',
    '  [plugins."io.containerd.internal.v1.opt"]',
    `    path = ${q(join(l.containerdDir, 'opt'))}`,
    '',
  ].join('\n');
}

/** daemon.json: only the libtrust key path, which has no command-line flag in dockerd 20.10. */
export function daemonJsonText(l: EngineLayout): string {
  return `${JSON.stringify({ 'deprecated-key-path': l.trustKey })}\n`;
}

export function containerdArgs(l: EngineLayout): string[] {
  return ['--config', l.containerdConfig];
}

/**
 * dockerd flags. `--containerd` points at our own containerd: Debian's dockerd 20.10 would
 * otherwise adopt a system containerd whenever /run/containerd/containerd.sock exists.
 * `--config-file` keeps /etc/docker/daemon.json out (ours moves the trust key out of /etc/docker),
 * `--cgroup-parent` keeps our containers' cgroups apart from another engine's.
 * iptables stays on: dockerd runs inside our own network namespace, so its NAT/filter rules and
 * its docker0 bridge exist only there.
 */
export function dockerdArgs(l: EngineLayout): string[] {
  return [
    `--host=unix://${l.socketPath}`,
    `--data-root=${l.dataRoot}`,
    `--exec-root=${l.execRoot}`,
    `--pidfile=${l.pidfile}`,
    `--config-file=${l.daemonJson}`,
    `--containerd=${l.containerdSocket}`,
    `--cgroup-parent=${l.cgroupParent}`,
    '--iptables=true',
    '--userland-proxy=false',
    '--storage-driver=overlay2',
  ];
}

/** Does this argv belong to the dockerd of layout `l`? */
export function isDockerdOf(l: EngineLayout): (argv: string[]) => boolean {
  return (argv) =>
    argv.some((a) => a.endsWith('dockerd')) && argv.includes(`--host=unix://${l.socketPath}`);
}

/** Does this argv belong to the containerd of layout `l`? */
export function isContainerdOf(l: EngineLayout): (argv: string[]) => boolean {
  return (argv) => argv.some((a) => a.endsWith('containerd')) && argv.includes(l.containerdConfig);
}
