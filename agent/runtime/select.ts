// Which runtime a node uses: `--runtime docker|containerd`, or `auto` = the Node object's
// status.nodeInfo.containerRuntimeVersion (`docker://20.10.24`, `containerd://1.6.20`). Without
// an API answer (envoy-tools run by hand), auto falls back to the socket that exists.
import type * as k8s from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { InvalidArgumentError, TrafficError } from '../../lib/errors.js';
import { fail, ok, type Validation } from '../../lib/validation.js';
import { ContainerdRuntime } from './containerd.js';
import { DockerRuntime } from './docker.js';
import { defaultContainerdAddress, defaultDockerHost, validHostRunDir } from './host-run.js';
import type { ProxyRuntime } from './types.js';

export type RuntimeKind = 'docker' | 'containerd';
export type RuntimeChoice = RuntimeKind | 'auto';

export const DEFAULT_DOCKER_HOST = defaultDockerHost();

export function parseRuntimeChoice(raw: string | undefined): Validation<RuntimeChoice> {
  const v = raw ?? 'auto';
  return v === 'docker' || v === 'containerd' || v === 'auto'
    ? ok(v)
    : fail(`--runtime must be docker, containerd or auto, got "${v}"`);
}

/** `containerd://1.6.20` → containerd; `docker://…` → docker; anything else is unsupported. */
export function kindFromRuntimeVersion(v: string | undefined): Validation<RuntimeKind> {
  const scheme = /^([a-z-]+):\/\//.exec(v ?? '')?.[1];
  if (scheme === 'docker' || scheme === 'containerd') return ok(scheme);
  return fail(`the node's container runtime "${v ?? ''}" is not supported (docker or containerd)`);
}

export async function nodeRuntimeKind(core: k8s.CoreV1Api, nodeName: string): Promise<RuntimeKind> {
  const node = await core.readNode({ name: nodeName });
  const k = kindFromRuntimeVersion(node.status?.nodeInfo?.containerRuntimeVersion);
  if (!k.valid) throw new TrafficError('TM_RUNTIME', k.errors.join('; '));
  return k.result;
}

function socketPath(address: string): string {
  return address.replace(/^unix:\/\//, '');
}

/** auto without the API: the one runtime socket present (Docker's wins when both are). */
export function kindFromSockets(o: { dockerHost: string; containerdAddress: string }): RuntimeKind {
  if (o.dockerHost.startsWith('tcp://') || existsSync(socketPath(o.dockerHost))) return 'docker';
  if (existsSync(socketPath(o.containerdAddress))) return 'containerd';
  throw new TrafficError('TM_RUNTIME', 'no Docker or containerd socket found; pass --runtime');
}

export interface RuntimeSettings {
  choice: RuntimeChoice;
  dockerHost: string;
  containerdAddress: string;
  /** containerd: host directory of the proxies' logs. */
  proxyLogDir?: string;
  /** containerd: cgroup parent of the proxies. */
  proxyCgroupParent?: string;
  /** The host's /run as mounted in the agent: socket defaults and netns files go through it. */
  hostRunDir?: string;
}

export async function resolveRuntimeKind(
  s: RuntimeSettings,
  node: () => Promise<RuntimeKind>,
): Promise<RuntimeKind> {
  if (s.choice !== 'auto') return s.choice;
  return node().catch(() => kindFromSockets(s));
}

export function createRuntime(
  kind: RuntimeKind,
  s: RuntimeSettings,
  nodeName?: string,
): ProxyRuntime {
  const hostRun = s.hostRunDir ? { hostRunDir: s.hostRunDir } : {};
  if (kind === 'docker') return new DockerRuntime(s.dockerHost, nodeName, hostRun);
  return new ContainerdRuntime({
    address: s.containerdAddress,
    ...hostRun,
    ...(nodeName !== undefined ? { node: nodeName } : {}),
    ...(s.proxyLogDir ? { logDir: s.proxyLogDir } : {}),
    ...(s.proxyCgroupParent ? { cgroupParent: s.proxyCgroupParent } : {}),
  });
}

export function runtimeSettings(v: {
  runtime?: string;
  dockerHost?: string;
  containerdAddress?: string;
  proxyLogDir?: string;
  proxyCgroupParent?: string;
  hostRunDir?: string;
}): RuntimeSettings {
  const choice = parseRuntimeChoice(v.runtime);
  if (!choice.valid) throw new InvalidArgumentError(choice.errors.join('; '));
  const hostRunDir = v.hostRunDir ? validHostRunDir(v.hostRunDir) : undefined;
  return {
    choice: choice.result,
    dockerHost: v.dockerHost ?? defaultDockerHost(hostRunDir),
    containerdAddress: v.containerdAddress ?? defaultContainerdAddress(hostRunDir),
    ...(hostRunDir ? { hostRunDir } : {}),
    ...(v.proxyLogDir ? { proxyLogDir: v.proxyLogDir } : {}),
    ...(v.proxyCgroupParent ? { proxyCgroupParent: v.proxyCgroupParent } : {}),
  };
}
