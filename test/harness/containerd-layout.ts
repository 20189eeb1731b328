// Where a private containerd with CRI keeps everything (one temporary directory), and its config:
// own root, state, sockets and plugin dirs, no debug/metrics listeners, the CRI plugin with
// netns_mounts_under_state_dir (pod netns mounts under state/, not /var/run/netns) and
// restrict_oom_score_adj (this sandbox lacks CAP_SYS_RESOURCE), our CNI plugin, a busybox pause.
import { join } from 'node:path';
import { assertNetnsName } from './validate.js';

export const PAUSE_IMAGE = 'docker.io/tm-test/pause:1';

export interface CtrdLayout {
  dir: string;
  id: string;
  netns: string;
  socket: string;
  config: string;
  root: string;
  state: string;
  log: string;
  statePath: string;
  cniDir: string;
  podLogs: string;
  proxyLogs: string;
  /** cgroup parent of everything this containerd runs (sandboxes and proxies). */
  cgroupParent: string;
  /** First three octets of the pod /24. */
  subnet: string;
}

const SAFE_DIR = /^\/[A-Za-z0-9._/-]+$/;

export function ctrdLayout(dir: string, id: string): CtrdLayout {
  if (!SAFE_DIR.test(dir)) throw new Error(`unsafe containerd directory: ${dir}`);
  if (!/^[a-f0-9]{10}$/.test(id)) throw new Error(`invalid containerd id ${id}`);
  const socket = join(dir, 'containerd.sock');
  if (socket.length + 6 > 100) throw new Error(`containerd directory too long: ${dir}`);
  return {
    dir,
    id,
    netns: assertNetnsName(`tm-ctrd-${id}`),
    socket,
    config: join(dir, 'config.toml'),
    root: join(dir, 'root'),
    state: join(dir, 'state'),
    log: join(dir, 'containerd.log'),
    statePath: join(dir, 'ctrd-state.json'),
    cniDir: join(dir, 'cni'),
    podLogs: join(dir, 'pod-logs'),
    proxyLogs: join(dir, 'proxy-logs'),
    cgroupParent: `/tm-ctrd-${id}`,
    subnet: `10.251.${parseInt(id.slice(0, 2), 16)}`,
  };
}

export function ctrdConfigText(l: CtrdLayout): string {
  const q = (s: string): string => JSON.stringify(s);
  const cri = '[plugins."io.containerd.grpc.v1.cri"]';
  return [
    'version = 2',
    `root = ${q(l.root)}`,
    `state = ${q(l.state)}`,
    '[grpc]',
    `  address = ${q(l.socket)}`,
    '[ttrpc]',
    `  address = ${q(`${l.socket}.ttrpc`)}`,
    '[debug]',
    '  address = ""',
    '[metrics]',
    '  address = ""',
    '[plugins]',
    '  [plugins."io.containerd.internal.v1.opt"]',
    `    path = ${q(join(l.dir, 'opt'))}`,
    `  ${cri}`,
    `    sandbox_image = ${q(PAUSE_IMAGE)}`,
    '    netns_mounts_under_state_dir = true',
    '    restrict_oom_score_adj = true',
    '    disable_apparmor = true',
    '    stream_server_address = "127.0.0.1"',
    '    stream_server_port = "0"',
    `    [plugins."io.containerd.grpc.v1.cri".cni]`,
    `      bin_dir = ${q(join(l.cniDir, 'bin'))}`,
    `      conf_dir = ${q(join(l.cniDir, 'conf'))}`,
    '      max_conf_num = 1',
    `    [plugins."io.containerd.grpc.v1.cri".containerd]`,
    '      snapshotter = "overlayfs"',
    '      default_runtime_name = "runc"',
    `      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]`,
    '        runtime_type = "io.containerd.runc.v2"',
    `        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]`,
    `          Root = ${q(join(l.dir, 'runc'))}`,
    '',
  ].join('\n');
}

export function ctrdArgs(l: CtrdLayout): string[] {
  return ['--config', l.config];
}

/** Does this argv belong to the containerd of layout `l`? */
export function isCtrdOf(l: CtrdLayout): (argv: string[]) => boolean {
  return (argv) => argv.some((a) => a.endsWith('containerd')) && argv.includes(l.config);
}

/** A runc shim of this containerd (`containerd-shim-runc-v2 … -address <our socket>`). */
export function isShimOf(l: CtrdLayout): (argv: string[]) => boolean {
  return (argv) =>
    argv.some((a) => a.endsWith('containerd-shim-runc-v2')) &&
    argv.includes('-address') &&
    argv.includes(l.socket);
}
