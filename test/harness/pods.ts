// "Pods" the way kubelet's dockershim lays them out in Docker: a sandbox container (name
// k8s_POD_<pod>_<ns>_<uid>_0, io.kubernetes.docker.type=podsandbox, container name POD) holding
// the network namespace, and app containers joining it with NetworkMode container:<sandbox id>.
// The harness does not talk to Kubernetes: `onPod` (or the returned PodInfo) lets a caller write
// the matching Pod object into whatever API server the test uses.
import type Dockerode from 'dockerode';
import { randomBytes, randomUUID } from 'node:crypto';
import type { DockerdHandle } from './dockerd.js';
import { BUSYBOX_IMAGE, ensureBusyboxImage } from './images.js';
import { HARNESS_LABEL, KUBE_LABELS, SANDBOX_CONTAINER_NAME } from './labels.js';
import { assertContainerId, assertKubeName, assertNamespace, assertNodeName } from './validate.js';
import { assertRunId, assertUid } from './validate.js';

export type RestartPolicy = 'no' | 'always' | 'unless-stopped' | 'on-failure';

export interface PodInfo {
  name: string;
  namespace: string;
  uid: string;
  nodeName: string;
  /** The sandbox's address on the engine's bridge. */
  ip: string;
  sandboxId: string;
  sandboxName: string;
  /** Host pid of the sandbox's pid 1: /proc/<pid>/ns/net is the pod's network namespace. */
  pid: number;
  labels: Record<string, string>;
}

export interface PodEnv {
  engine: DockerdHandle;
  /** Labels everything this env creates (tm.test.harness=<runId>); sweep(engine, runId). */
  runId: string;
  nodeName: string;
  onPod?: (pod: PodInfo) => void | Promise<void>;
}

export interface AppContainer {
  id: string;
  name: string;
  containerName: string;
}

export interface Pod extends PodInfo {
  env: PodEnv;
  containers: AppContainer[];
}

export interface CreatePodOptions {
  name: string;
  namespace: string;
  uid?: string;
  /** Pod labels; kubelet copies them onto the sandbox container. */
  labels?: Record<string, string>;
  restartPolicy?: RestartPolicy;
  image?: string;
}

/** A PodEnv with a fresh run id (e.g. one per test file). */
export function podEnv(
  engine: DockerdHandle,
  opts: { nodeName?: string; runId?: string; onPod?: PodEnv['onPod'] } = {},
): PodEnv {
  const runId = assertRunId(opts.runId ?? `r-${randomBytes(5).toString('hex')}`);
  const nodeName = assertNodeName(opts.nodeName ?? 'tm-e2e-node');
  return opts.onPod ? { engine, runId, nodeName, onPod: opts.onPod } : { engine, runId, nodeName };
}

function podLabels(pod: { name: string; namespace: string; uid: string }): Record<string, string> {
  return {
    [KUBE_LABELS.podName]: pod.name,
    [KUBE_LABELS.podNamespace]: pod.namespace,
    [KUBE_LABELS.podUid]: pod.uid,
  };
}

/** Pid and bridge IP of a running sandbox. */
export async function inspectSandbox(
  docker: Dockerode,
  sandboxId: string,
): Promise<{ pid: number; ip: string; running: boolean }> {
  const info = await docker.getContainer(assertContainerId(sandboxId)).inspect();
  const ip = info.NetworkSettings.Networks.bridge?.IPAddress ?? '';
  return { pid: info.State.Pid, ip, running: info.State.Running };
}

/** Starts a sandbox container for the pod and returns where its network namespace is. */
export async function createPod(env: PodEnv, opts: CreatePodOptions): Promise<Pod> {
  const name = assertKubeName(opts.name);
  const namespace = assertNamespace(opts.namespace);
  const uid = assertUid(opts.uid ?? randomUUID());
  const { docker } = env.engine;
  const image = opts.image ?? (await ensureBusyboxImage(docker));
  const sandboxName = `k8s_${SANDBOX_CONTAINER_NAME}_${name}_${namespace}_${uid}_0`;
  const labels = {
    ...opts.labels,
    ...podLabels({ name, namespace, uid }),
    [KUBE_LABELS.dockerType]: 'podsandbox',
    [KUBE_LABELS.containerName]: SANDBOX_CONTAINER_NAME,
    [HARNESS_LABEL]: env.runId,
  };
  const container = await docker.createContainer({
    name: sandboxName,
    Image: image,
    Cmd: image === BUSYBOX_IMAGE ? ['/pause'] : undefined,
    Hostname: name,
    Labels: labels,
    StopTimeout: 2,
    HostConfig: {
      IpcMode: 'shareable',
      RestartPolicy: { Name: opts.restartPolicy ?? 'no' },
    },
  });
  await container.start();
  const { pid, ip } = await inspectSandbox(docker, container.id);
  const pod: Pod = {
    ...{ name, namespace, uid, nodeName: env.nodeName, ip, pid, labels: opts.labels ?? {} },
    sandboxId: container.id,
    sandboxName,
    env,
    containers: [],
  };
  await env.onPod?.(podInfo(pod));
  return pod;
}

/** The plain data of a pod (what a fake API server needs to write a Pod object). */
export function podInfo(pod: Pod): PodInfo {
  const { name, namespace, uid, nodeName, ip, sandboxId, sandboxName, pid, labels } = pod;
  return { name, namespace, uid, nodeName, ip, sandboxId, sandboxName, pid, labels };
}

export interface AppContainerOptions {
  name: string;
  cmd: string[];
  entrypoint?: string[];
  image?: string;
  env?: Record<string, string>;
  restartPolicy?: RestartPolicy;
}

/** Starts an app container in the pod's network (and IPC) namespace. */
export async function addAppContainer(pod: Pod, opts: AppContainerOptions): Promise<AppContainer> {
  const containerName = assertKubeName(opts.name);
  const { docker } = pod.env.engine;
  const name = `k8s_${containerName}_${pod.name}_${pod.namespace}_${pod.uid}_0`;
  const container = await docker.createContainer({
    name,
    Image: opts.image ?? (await ensureBusyboxImage(docker)),
    Cmd: opts.cmd,
    Entrypoint: opts.entrypoint,
    Env: Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
    Labels: {
      ...podLabels(pod),
      [KUBE_LABELS.dockerType]: 'container',
      [KUBE_LABELS.containerName]: containerName,
      [KUBE_LABELS.sandboxId]: pod.sandboxId,
      [HARNESS_LABEL]: pod.env.runId,
    },
    StopTimeout: 2,
    HostConfig: {
      NetworkMode: `container:${pod.sandboxId}`,
      IpcMode: `container:${pod.sandboxId}`,
      RestartPolicy: { Name: opts.restartPolicy ?? 'no' },
    },
  });
  await container.start();
  const app = { id: container.id, name, containerName };
  pod.containers.push(app);
  return app;
}

async function forceRemove(docker: Dockerode, id: string): Promise<void> {
  try {
    await docker.getContainer(assertContainerId(id)).remove({ force: true, v: true });
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
}

/** Removes the pod's app containers, then its sandbox (missing ones are fine). */
export async function removePod(pod: Pod): Promise<void> {
  const { docker } = pod.env.engine;
  for (const c of pod.containers) await forceRemove(docker, c.id);
  await forceRemove(docker, pod.sandboxId);
  pod.containers = [];
}

/** Re-reads the sandbox's pid and IP (both change when the engine restarts the sandbox). */
export async function refreshPod(pod: Pod): Promise<Pod> {
  const { pid, ip, running } = await inspectSandbox(pod.env.engine.docker, pod.sandboxId);
  if (!running) throw new Error(`sandbox of pod ${pod.namespace}/${pod.name} is not running`);
  pod.pid = pid;
  pod.ip = ip;
  return pod;
}
