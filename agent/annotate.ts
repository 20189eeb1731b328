// Writes the pod annotation traffic.envoy.proxy=<container id> ("" when the proxy is gone) with a
// JSON merge patch: only that key changes, nothing else the user or other controllers wrote.
import * as k8s from '@kubernetes/client-node';
import { PROXY_ANNOTATION } from './config.js';

export interface PodPatcher {
  setProxyAnnotation(namespace: string, name: string, value: string): Promise<void>;
}

export class KubePodPatcher implements PodPatcher {
  constructor(private readonly core: k8s.CoreV1Api) {}

  async setProxyAnnotation(namespace: string, name: string, value: string): Promise<void> {
    const body = { metadata: { annotations: { [PROXY_ANNOTATION]: value } } };
    await this.core.patchNamespacedPod(
      { name, namespace, body },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
  }
}

export function proxyAnnotationOf(pod: k8s.V1Pod | undefined): string {
  return pod?.metadata?.annotations?.[PROXY_ANNOTATION] ?? '';
}
