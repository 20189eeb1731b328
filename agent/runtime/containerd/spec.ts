// The OCI runtime spec of a proxy container: its own pid, ipc, uts and mount namespaces, the pod's
// network namespace joined by path, the image's entrypoint with Envoy's command line, the proxy
// uid/gid, no capabilities and no new privileges, memory and CPU limits, the sandbox's DNS files
// read-only, and the usual masked and read-only /proc paths. No rlimits: runc would need
// CAP_SYS_RESOURCE to raise a hard limit, and the node's defaults are what Docker gives too.
import type { ImageConfig } from './manifest.js';

export const SPEC_TYPE_URL = 'types.containerd.io/opencontainers/runtime-spec/1/Spec';

export interface SpecInput {
  args: string[];
  image: ImageConfig;
  uid: number;
  gid: number;
  hostname: string;
  netnsPath: string;
  resolvConf?: string;
  cgroupsPath: string;
  memoryBytes: number;
  /** CPU quota in microseconds per 100 ms period. */
  cpuQuota: number;
}

const CPU_PERIOD = 100_000;
const NO_EXEC = ['nosuid', 'noexec', 'nodev'];

interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

function mounts(resolvConf: string | undefined): OciMount[] {
  const list: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: NO_EXEC },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: [...NO_EXEC, 'mode=1777', 'size=65536k'],
    },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: NO_EXEC },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: [...NO_EXEC, 'ro'] },
  ];
  if (resolvConf) {
    const dir = resolvConf.slice(0, resolvConf.lastIndexOf('/'));
    for (const [dest, src] of [
      ['/etc/resolv.conf', resolvConf],
      ['/etc/hosts', `${dir}/hosts`],
      ['/etc/hostname', `${dir}/hostname`],
    ] as const) {
      list.push({ destination: dest, type: 'bind', source: src, options: ['rbind', 'ro'] });
    }
  }
  return list;
}

function withPath(env: string[]): string[] {
  return env.some((e) => e.startsWith('PATH='))
    ? env
    : ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...env];
}

/** The spec as the JSON object containerd stores (an Any of SPEC_TYPE_URL). */
export function proxySpec(s: SpecInput): Record<string, unknown> {
  const noCaps = { bounding: [], effective: [], inheritable: [], permitted: [], ambient: [] };
  return {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: false,
      user: { uid: s.uid, gid: s.gid, additionalGids: [s.gid] },
      args: [...s.image.entrypoint, ...(s.args.length > 0 ? s.args : s.image.cmd)],
      env: withPath(s.image.env),
      cwd: s.image.workingDir,
      capabilities: noCaps,
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: false },
    hostname: s.hostname,
    mounts: mounts(s.resolvConf),
    linux: {
      namespaces: [
        { type: 'pid' },
        { type: 'ipc' },
        { type: 'uts' },
        { type: 'mount' },
        { type: 'network', path: s.netnsPath },
      ],
      cgroupsPath: s.cgroupsPath,
      resources: {
        devices: [{ allow: false, access: 'rwm' }],
        memory: { limit: s.memoryBytes, swap: s.memoryBytes },
        cpu: { quota: s.cpuQuota, period: CPU_PERIOD },
        pids: { limit: 4096 },
      },
      maskedPaths: [
        '/proc/acpi',
        '/proc/asound',
        '/proc/kcore',
        '/proc/keys',
        '/proc/latency_stats',
        '/proc/timer_list',
        '/proc/timer_stats',
        '/proc/sched_debug',
        '/sys/firmware',
        '/proc/scsi',
      ],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

/** NanoCPUs (Docker's unit) → CFS quota per 100 ms period. */
export function cpuQuotaOf(nanoCpus: number): number {
  return Math.max(1000, Math.round((nanoCpus / 1e9) * CPU_PERIOD));
}
