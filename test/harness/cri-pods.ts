// Pods on the private containerd, made the way kubelet makes them: CRI RunPodSandbox with
// kubelet's labels (io.kubernetes.pod.*), a cgroup parent and log directory of our own, then an
// app container (CreateContainer + StartContainer) in it. ExecSync runs commands in the app.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ContainerdHandle } from './containerd.js';
import { HARNESS_LABEL, KUBE_LABELS } from './labels.js';
import { CTRD_IMAGES } from './oci-image.js';
import {
  assertContainerId,
  assertKubeName,
  assertNamespace,
  assertRunId,
  assertUid,
} from './validate.js';

export interface CriPod {
  name: string;
  namespace: string;
  uid: string;
  ip: string;
  sandboxId: string;
  /** Host pid of the sandbox's pause process: /proc/<pid>/ns/net is the pod's netns. */
  pid: number;
  netnsPath: string;
  appId: string;
  labels: Record<string, string>;
  ctrd: ContainerdHandle;
  config: Record<string, unknown>;
}

export interface RunCriPodOptions {
  name: string;
  namespace: string;
  uid?: string;
  labels?: Record<string, string>;
  runId: string;
  /** Bumped when kubelet recreates a pod's sandbox. */
  attempt?: number;
}

interface Status {
  status: { state: string; network: { ip: string } | null } | null;
  info: Record<string, string>;
}

export async function criSandboxStatus(
  ctrd: ContainerdHandle,
  id: string,
): Promise<{ ready: boolean; ip: string; pid: number; netnsPath: string }> {
  const r = await ctrd.cri.runtime.unary<Status>('PodSandboxStatus', {
    pod_sandbox_id: assertContainerId(id),
    verbose: true,
  });
  const info = JSON.parse(r.info.info ?? '{}') as {
    pid?: number;
    runtimeSpec?: { linux?: { namespaces?: Array<{ type: string; path?: string }> } };
  };
  const ns = info.runtimeSpec?.linux?.namespaces?.find((n) => n.type === 'network');
  return {
    ready: r.status?.state === 'SANDBOX_READY',
    ip: r.status?.network?.ip ?? '',
    pid: info.pid ?? 0,
    netnsPath: ns?.path ?? '',
  };
}

export async function runCriPod(ctrd: ContainerdHandle, o: RunCriPodOptions): Promise<CriPod> {
  const name = assertKubeName(o.name);
  const namespace = assertNamespace(o.namespace);
  const uid = assertUid(o.uid ?? randomUUID());
  const config = {
    metadata: { name, uid, namespace, attempt: o.attempt ?? 0 },
    hostname: name,
    log_directory: join(ctrd.layout.podLogs, `${namespace}_${name}_${uid}`),
    labels: {
      ...o.labels,
      [KUBE_LABELS.podName]: name,
      [KUBE_LABELS.podNamespace]: namespace,
      [KUBE_LABELS.podUid]: uid,
      [HARNESS_LABEL]: assertRunId(o.runId),
    },
    linux: { cgroup_parent: `${ctrd.layout.cgroupParent}/pods` },
  };
  const rt = ctrd.cri.runtime;
  const run = await rt.unary<{ pod_sandbox_id: string }>(
    'RunPodSandbox',
    { config },
    { timeoutMs: 60_000 },
  );
  const sandboxId = run.pod_sandbox_id;
  const app = await rt.unary<{ container_id: string }>('CreateContainer', {
    pod_sandbox_id: sandboxId,
    config: {
      metadata: { name: 'app', attempt: 0 },
      image: { image: CTRD_IMAGES.busybox },
      command: ['sleep', '3600'],
      labels: { [HARNESS_LABEL]: o.runId },
      log_path: 'app/0.log',
    },
    sandbox_config: config,
  });
  await rt.unary('StartContainer', { container_id: app.container_id });
  const s = await criSandboxStatus(ctrd, sandboxId);
  const labels = o.labels ?? {};
  return {
    name,
    namespace,
    uid,
    ip: s.ip,
    sandboxId,
    pid: s.pid,
    netnsPath: s.netnsPath,
    appId: app.container_id,
    labels,
    ctrd,
    config,
  };
}

/** StopPodSandbox (what kubelet does first when a pod goes): containers stop, CNI DEL. */
export async function stopCriPod(pod: CriPod): Promise<void> {
  await pod.ctrd.cri.runtime.unary(
    'StopPodSandbox',
    { pod_sandbox_id: pod.sandboxId },
    { timeoutMs: 60_000 },
  );
}

/** Stop and remove the sandbox (missing is fine). */
export async function removeCriPod(pod: CriPod): Promise<void> {
  const rt = pod.ctrd.cri.runtime;
  await rt
    .unary('StopPodSandbox', { pod_sandbox_id: pod.sandboxId }, { timeoutMs: 60_000 })
    .catch(() => undefined);
  await rt
    .unary('RemovePodSandbox', { pod_sandbox_id: pod.sandboxId }, { timeoutMs: 60_000 })
    .catch(() => undefined);
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** CRI ExecSync in the pod's app container. */
export async function execInApp(pod: CriPod, cmd: string[], timeoutS = 10): Promise<ExecResult> {
  const r = await pod.ctrd.cri.runtime.unary<{ stdout: Buffer; stderr: Buffer; exit_code: number }>(
    'ExecSync',
    { container_id: pod.appId, cmd, timeout: timeoutS },
    { timeoutMs: (timeoutS + 10) * 1000 },
  );
  return {
    exitCode: r.exit_code,
    stdout: r.stdout.toString('utf8'),
    stderr: r.stderr.toString('utf8'),
  };
}

/** What kubelet sees: every CRI container (the proxies must never be among them). */
export async function criContainers(
  ctrd: ContainerdHandle,
): Promise<Array<{ id: string; name: string }>> {
  const r = await ctrd.cri.runtime.unary<{
    containers: Array<{ id: string; metadata: { name: string } | null }>;
  }>('ListContainers', { filter: {} });
  return r.containers.map((c) => ({ id: c.id, name: c.metadata?.name ?? '' }));
}
