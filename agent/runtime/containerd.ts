// ProxyRuntime on containerd. Sandboxes are found read-only through CRI (ListPodSandbox by the
// pod-uid label, PodSandboxStatus verbose for the pid and netns path). Proxies are native
// containerd containers in a namespace of our own (never k8s.io: kubelet neither sees nor
// garbage-collects them), joining the pod's netns by path, as the proxy uid with no capabilities,
// memory and CPU limits, logs in a file the agent rotates. Nothing removes them when their pod
// dies: the agent's reconcile does (pod gone → disable; sandbox replaced → prune).
import { randomBytes } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { InvalidArgumentError, TrafficError } from '../../lib/errors.js';
import {
  checkLabels,
  resolveOptions,
  type ContainerdRuntimeOptions,
} from './containerd/options.js';
import {
  connectContainerd,
  type ContainerdApi,
  type NativeContainer,
  type TaskProcess,
} from './containerd/api.js';
import { isNotFound, runtimeError } from './containerd/grpc.js';
import { ensureImage } from './containerd/image.js';
import { ImageCache } from './containerd/image-cache.js';
import { listRecords } from './containerd/list.js';
import { createLease, deleteLease } from './containerd/leases.js';
import { logPath, readLogs, removeLogs, rotateLog } from './containerd/logs.js';
import { findPodSandbox, sandboxDetails, type SandboxDetails } from './containerd/sandbox.js';
import { cpuQuotaOf, proxySpec, SPEC_TYPE_URL } from './containerd/spec.js';
import { sweepStartLeases } from './containerd/sweep.js';
import { proxyLeaseId, startTask, stopAndDelete } from './containerd/task.js';
import { toProxyInfo } from './containerd-info.js';
import type { HostPathMap } from './host-run.js';
import { validContainerId, validImage, validPodRef } from './names.js';
import type { LogOptions, PodRef, ProxyInfo, ProxyRuntime, ProxySpec, Sandbox } from './types.js';
import { PROXY_LABELS } from './types.js';

export { DEFAULT_CONTAINERD_ADDRESS, type ContainerdRuntimeOptions } from './containerd/options.js';

/** A file (a netns bind mount is a regular-looking nsfs file) the agent can stat. */
async function isNetnsFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

export class ContainerdRuntime implements ProxyRuntime {
  readonly kind = 'containerd' as const;
  readonly api: ContainerdApi;
  readonly namespace: string;
  readonly logDir: string;
  private readonly node: string | undefined;
  private readonly cgroupParent: string;
  private readonly snapshotter: string;
  private readonly limits: { memoryBytes: number; nanoCpus: number };
  readonly address: string;
  private readonly agentPath: HostPathMap;
  private readonly images: ImageCache;
  private lastHousekeeping = 0;

  constructor(options: ContainerdRuntimeOptions) {
    const o = resolveOptions(options);
    ({ namespace: this.namespace, node: this.node, logDir: this.logDir } = o);
    ({ cgroupParent: this.cgroupParent, snapshotter: this.snapshotter, limits: this.limits } = o);
    this.address = o.address;
    this.agentPath = o.agentPath;
    this.api = connectContainerd(o.address);
    const t = { ns: this.namespace, snapshotter: this.snapshotter };
    this.images = new ImageCache((ref) => ensureImage(this.api, t, ref));
  }

  async ping(): Promise<void> {
    try {
      await this.api.version.unary('Version', {}, { timeoutMs: 5000 });
      await this.api.runtime.unary('Version', { version: 'v1' }, { timeoutMs: 5000 });
    } catch (err) {
      throw runtimeError('not reachable (native API and CRI)', err);
    }
  }

  async version(): Promise<string> {
    const r = await this.api.version.unary<{ version: string }>('Version', {});
    return r.version;
  }

  async findSandbox(pod: PodRef & { ip?: string }): Promise<Sandbox | undefined> {
    const d = await findPodSandbox(
      this.api,
      { ...validPodRef(pod), ...(pod.ip ? { ip: pod.ip } : {}) },
      this.agentPath,
    );
    if (!d) return undefined;
    // Entered through CRI's netns file when the agent sees it (no CAP_SYS_PTRACE needed for a
    // pause process of another uid); else through /proc/<pid>/ns/net.
    const path = d.netnsPath.startsWith('/proc/') ? undefined : this.agentPath(d.netnsPath);
    const visible = path !== undefined && (await isNetnsFile(path));
    return { id: d.id, pid: d.pid, ...(visible ? { netnsPath: path } : {}) };
  }

  async listProxies(podUid?: string): Promise<ProxyInfo[]> {
    const uid =
      podUid === undefined
        ? undefined
        : validPodRef({ name: 'x', namespace: 'x', uid: podUid }).uid;
    const { containers, tasks } = await listRecords(this.api, this.namespace, PROXY_LABELS.proxy);
    const out = containers
      .filter((c) => this.node === undefined || c.labels[PROXY_LABELS.node] === this.node)
      .filter((c) => uid === undefined || c.labels[PROXY_LABELS.podUid] === uid)
      .map((c) => toProxyInfo(c, tasks.get(c.id)))
      .filter((p): p is ProxyInfo => p !== undefined);
    if (uid === undefined) await this.housekeeping(out, containers);
    return out;
  }

  /**
   * On the agent's resync (a full listing), at most every 10 s: copy-truncate rotation of every
   * proxy's log, and release what a start interrupted by a crash left (sweep.ts).
   */
  private async housekeeping(proxies: ProxyInfo[], all: NativeContainer[]): Promise<void> {
    if (Date.now() - this.lastHousekeeping < 10_000) return;
    this.lastHousekeeping = Date.now();
    for (const p of proxies) await rotateLog(logPath(this.logDir, p.id)).catch(() => false);
    const t = { ns: this.namespace, snapshotter: this.snapshotter };
    await sweepStartLeases(this.api, t, new Set(all.map((c) => c.id))).catch(() => 0);
  }

  private labelsFor(spec: ProxySpec, sandboxId: string): Record<string, string> {
    const pod = spec.pod;
    return {
      ...checkLabels(spec.labels),
      [PROXY_LABELS.proxy]: 'true',
      [PROXY_LABELS.pod]: pod.name,
      [PROXY_LABELS.namespace]: pod.namespace,
      [PROXY_LABELS.podUid]: pod.uid,
      [PROXY_LABELS.sandbox]: sandboxId,
      ...(this.node !== undefined ? { [PROXY_LABELS.node]: this.node } : {}),
    };
  }

  private async sandbox(sandbox: Sandbox): Promise<SandboxDetails> {
    const d = await sandboxDetails(this.api, validContainerId(sandbox.id));
    if (!d)
      throw new TrafficError('TM_RUNTIME', `sandbox ${sandbox.id.slice(0, 12)} is not running`);
    if (d.pid !== sandbox.pid) {
      throw new TrafficError(
        'TM_RUNTIME',
        `sandbox ${sandbox.id.slice(0, 12)} now has pid ${d.pid}, not ${sandbox.pid}`,
      );
    }
    return d;
  }

  async createProxy(spec: ProxySpec, sandbox: Sandbox): Promise<ProxyInfo> {
    const pod = validPodRef(spec.pod);
    const uid = spec.uid;
    const gid = spec.gid;
    if (![uid, gid].every((n) => Number.isSafeInteger(n) && n > 0 && n < 2 ** 31)) {
      throw new InvalidArgumentError(`invalid proxy uid/gid ${uid}:${gid}`);
    }
    const d = await this.sandbox(sandbox);
    const image = await this.images.get(validImage(spec.image));
    const id = randomBytes(32).toString('hex');
    const oci = proxySpec({
      args: spec.args,
      image: image.config,
      uid,
      gid,
      hostname: pod.name.slice(0, 63),
      netnsPath: d.netnsPath,
      ...(d.resolvConf ? { resolvConf: d.resolvConf } : {}),
      cgroupsPath: `${this.cgroupParent}/${id}`,
      memoryBytes: spec.memoryBytes ?? this.limits.memoryBytes,
      cpuQuota: cpuQuotaOf(spec.nanoCpus ?? this.limits.nanoCpus),
    });
    await mkdir(this.logDir, { recursive: true, mode: 0o750 });
    const ns = this.namespace;
    const lease = await createLease(this.api, ns, proxyLeaseId(id));
    try {
      await startTask(this.api, {
        ns,
        lease,
        id,
        image: image.name,
        chainId: image.chainId,
        snapshotter: this.snapshotter,
        labels: this.labelsFor({ ...spec, pod }, d.id),
        spec: { type_url: SPEC_TYPE_URL, value: Buffer.from(JSON.stringify(oci)) },
        logFile: logPath(this.logDir, id),
      });
    } catch (err) {
      this.images.forget(validImage(spec.image));
      await this.removeProxy(id, 0).catch(() => undefined);
      throw err;
    }
    await deleteLease(this.api, ns, lease);
    const info = (await this.listProxies(pod.uid)).find((p) => p.id === id);
    if (!info)
      throw new TrafficError('TM_RUNTIME', `proxy ${id.slice(0, 12)} vanished after start`);
    return info;
  }

  async removeProxy(id: string, graceSeconds: number): Promise<void> {
    const cid = validContainerId(id);
    const grace = Math.max(0, Math.floor(graceSeconds));
    await stopAndDelete(
      this.api,
      { ns: this.namespace, snapshotter: this.snapshotter },
      cid,
      grace,
    );
    await removeLogs(logPath(this.logDir, cid));
  }

  private async running(id: string): Promise<boolean> {
    try {
      const r = await this.api.tasks.unary<{ process: TaskProcess }>(
        'Get',
        { container_id: id },
        { ns: this.namespace },
      );
      return r.process.status === 'RUNNING';
    } catch (err) {
      if (isNotFound(err)) return false;
      return true;
    }
  }

  async logs(id: string, opts: LogOptions): Promise<Readable> {
    const cid = validContainerId(id);
    return readLogs(logPath(this.logDir, cid), { ...opts, running: () => this.running(cid) });
  }

  close(): void {
    this.api.close();
  }
}
