// ProxyRuntime on the Docker Engine API (dockerode). The sandbox is found by the labels kubelet's
// dockershim (and cri-dockerd) put on it, matched exactly; the proxy joins its network with
// NetworkMode container:<sandbox>, runs as the proxy uid without privileges or capabilities,
// restarts unless stopped, and keeps bounded logs.
import Docker from 'dockerode';
import { PassThrough, type Readable } from 'node:stream';
import { TrafficError } from '../../lib/errors.js';
import { proxyContainerName, validContainerId, validImage, validPodRef } from './names.js';
import { ensureImage } from './docker-image.js';
import { toProxyInfo } from './docker-info.js';
import { hostPathMap, type HostPathMap } from './host-run.js';
import type { LogOptions, PodRef, ProxyInfo, ProxyRuntime, ProxySpec, Sandbox } from './types.js';
import { PROXY_LABELS } from './types.js';

/** Labels kubelet puts on Docker sandboxes. */
export const KUBELET_LABELS = {
  podName: 'io.kubernetes.pod.name',
  podNamespace: 'io.kubernetes.pod.namespace',
  podUid: 'io.kubernetes.pod.uid',
  dockerType: 'io.kubernetes.docker.type',
} as const;

function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode;
}

function runtimeError(what: string, err: unknown): TrafficError {
  const msg = (err as Error)?.message ?? String(err);
  return new TrafficError('TM_RUNTIME', `docker: ${what}: ${msg}`, { cause: err });
}

/** `unix:///path`, `/path` or `tcp://host:port` → dockerode options. */
export function dockerOptions(host: string): Docker.DockerOptions {
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  if (host.startsWith('/')) return { socketPath: host };
  const m = /^tcp:\/\/([A-Za-z0-9.-]+):(\d{1,5})$/.exec(host);
  if (m) return { host: m[1] ?? '', port: Number(m[2]), protocol: 'http' };
  throw new TrafficError('TM_INVALID_ARGUMENT', `unsupported docker host "${host}"`);
}

export interface DockerRuntimeOptions {
  /** The host's /run as mounted in the agent: the SandboxKey is opened through it. */
  hostRunDir?: string;
}

export class DockerRuntime implements ProxyRuntime {
  readonly kind = 'docker' as const;
  readonly docker: Docker;
  private readonly agentPath: HostPathMap;

  /** `node`: the agent's node; its proxies carry it, and only they are listed. */
  constructor(
    host: string | Docker,
    private readonly node?: string,
    opts: DockerRuntimeOptions = {},
  ) {
    this.docker = typeof host === 'string' ? new Docker(dockerOptions(host)) : host;
    this.agentPath = hostPathMap(opts.hostRunDir);
    if (node !== undefined && !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(node)) {
      throw new TrafficError('TM_INVALID_ARGUMENT', `invalid node name "${node}"`);
    }
  }

  async ping(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (err) {
      throw runtimeError('engine not reachable', err);
    }
  }

  async findSandbox(pod: PodRef): Promise<Sandbox | undefined> {
    const p = validPodRef(pod);
    const found = await this.docker.listContainers({
      filters: {
        label: [`${KUBELET_LABELS.podUid}=${p.uid}`, `${KUBELET_LABELS.dockerType}=podsandbox`],
        status: ['running'],
      },
    });
    const mine = found
      .filter((c) => c.Labels[KUBELET_LABELS.podName] === p.name)
      .filter((c) => c.Labels[KUBELET_LABELS.podNamespace] === p.namespace)
      .sort((a, b) => b.Created - a.Created);
    const newest = mine[0];
    if (!newest) return undefined;
    const info = await this.docker.getContainer(newest.Id).inspect();
    if (!info.State.Running || info.State.Pid <= 0) return undefined;
    const netnsPath = this.agentPath(info.NetworkSettings?.SandboxKey ?? '');
    return { id: newest.Id, pid: info.State.Pid, ...(netnsPath ? { netnsPath } : {}) };
  }

  async listProxies(podUid?: string): Promise<ProxyInfo[]> {
    const label = [`${PROXY_LABELS.proxy}=true`];
    if (this.node !== undefined) label.push(`${PROXY_LABELS.node}=${this.node}`);
    if (podUid !== undefined) {
      label.push(
        `${PROXY_LABELS.podUid}=${validPodRef({ name: 'x', namespace: 'x', uid: podUid }).uid}`,
      );
    }
    const list = await this.docker.listContainers({ all: true, filters: { label } });
    return list.map(toProxyInfo).filter((p): p is ProxyInfo => p !== undefined);
  }

  async createProxy(spec: ProxySpec, sandbox: Sandbox): Promise<ProxyInfo> {
    const pod = validPodRef(spec.pod);
    const image = validImage(spec.image);
    const sandboxId = validContainerId(sandbox.id);
    await ensureImage(this.docker, image);
    const labels = {
      ...spec.labels,
      [PROXY_LABELS.proxy]: 'true',
      [PROXY_LABELS.pod]: pod.name,
      [PROXY_LABELS.namespace]: pod.namespace,
      [PROXY_LABELS.podUid]: pod.uid,
      [PROXY_LABELS.sandbox]: sandboxId,
      ...(this.node !== undefined ? { [PROXY_LABELS.node]: this.node } : {}),
    };
    const container = await this.create(proxyContainerName(pod), {
      Image: image,
      Cmd: spec.args,
      User: `${spec.uid}:${spec.gid}`,
      Labels: labels,
      StopTimeout: 10,
      HostConfig: {
        NetworkMode: `container:${sandboxId}`,
        Privileged: false,
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        ReadonlyRootfs: false,
        RestartPolicy: { Name: 'unless-stopped' },
        LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
        ...(spec.memoryBytes ? { Memory: spec.memoryBytes } : {}),
        ...(spec.nanoCpus ? { NanoCpus: spec.nanoCpus } : {}),
      },
    });
    try {
      await container.start();
    } catch (err) {
      await this.removeProxy(container.id, 0);
      throw runtimeError(`starting the proxy of ${pod.namespace}/${pod.name}`, err);
    }
    const [info] = await this.listProxies(pod.uid).then((l) =>
      l.filter((p) => p.id === container.id),
    );
    if (!info) throw new TrafficError('TM_RUNTIME', `proxy ${container.id} vanished after start`);
    return info;
  }

  /** Creates by name; a leftover container holding the name (a crash mid-create) is replaced. */
  private async create(
    name: string,
    opts: Docker.ContainerCreateOptions,
  ): Promise<Docker.Container> {
    try {
      return await this.docker.createContainer({ ...opts, name });
    } catch (err) {
      if (statusOf(err) !== 409) throw runtimeError(`creating ${name}`, err);
    }
    await this.docker
      .getContainer(name)
      .remove({ force: true })
      .catch(() => undefined);
    try {
      return await this.docker.createContainer({ ...opts, name });
    } catch (err) {
      throw runtimeError(`creating ${name}`, err);
    }
  }

  async removeProxy(id: string, graceSeconds: number): Promise<void> {
    const c = this.docker.getContainer(validContainerId(id));
    try {
      await c.stop({ t: Math.max(0, Math.floor(graceSeconds)) });
    } catch (err) {
      const s = statusOf(err);
      if (s === 404) return;
      if (s !== 304) throw runtimeError(`stopping ${id.slice(0, 12)}`, err);
    }
    try {
      await c.remove({ force: true, v: true });
    } catch (err) {
      const s = statusOf(err);
      if (s !== 404 && s !== 409) throw runtimeError(`removing ${id.slice(0, 12)}`, err);
    }
  }

  async logs(id: string, opts: LogOptions): Promise<Readable> {
    const c = this.docker.getContainer(validContainerId(id));
    const base = { stdout: true, stderr: true, ...(opts.tail ? { tail: opts.tail } : {}) };
    const raw: Readable = opts.follow
      ? ((await c.logs({ ...base, follow: true })) as Readable)
      : bufferStream(await c.logs({ ...base, follow: false }));
    const out = new PassThrough();
    this.docker.modem.demuxStream(raw, out, out);
    raw.on('end', () => out.end());
    raw.on('error', (e) => out.destroy(e));
    out.on('close', () => raw.destroy());
    return out;
  }
}

function bufferStream(buf: Buffer): Readable {
  const s = new PassThrough();
  s.end(buf);
  return s;
}
