// Label keys: the harness's own, and the ones kubelet's dockershim puts on Docker containers.

/** Every container the harness creates carries `tm.test.harness=<run id>`; sweep() relies on it. */
export const HARNESS_LABEL = 'tm.test.harness';

export const KUBE_LABELS = {
  podName: 'io.kubernetes.pod.name',
  podNamespace: 'io.kubernetes.pod.namespace',
  podUid: 'io.kubernetes.pod.uid',
  dockerType: 'io.kubernetes.docker.type',
  containerName: 'io.kubernetes.container.name',
  sandboxId: 'io.kubernetes.sandbox.id',
} as const;

/** The `io.kubernetes.container.name` kubelet gives pod sandboxes. */
export const SANDBOX_CONTAINER_NAME = 'POD';
