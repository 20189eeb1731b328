// envoy-tools --remove: what the agent does when a pod is disabled, for one proxy by hand:
// capture off, proxy removed, pod annotation cleared. The agent starts a new proxy on its next
// pass if the pod is still enabled; this is for stuck or orphaned proxies.
import type * as k8s from '@kubernetes/client-node';
import { PROXY_ANNOTATION } from '../../agent/config.js';
import type { PodPatcher } from '../../agent/annotate.js';
import { netnsOf, type ProxyInfo, type ProxyRuntime } from '../../agent/runtime/types.js';
import { removeCapture } from '../../iptables/index.js';

export interface RemoveDeps {
  runtime: ProxyRuntime;
  patcher?: PodPatcher;
  readPod?: (namespace: string, name: string) => Promise<k8s.V1Pod | undefined>;
}

export async function removeProxy(d: RemoveDeps, p: ProxyInfo): Promise<string[]> {
  const out: string[] = [];
  const sandbox = await d.runtime.findSandbox(p.pod);
  const others = (await d.runtime.listProxies(p.pod.uid)).filter(
    (x) => x.id !== p.id && x.state === 'running',
  );
  if (sandbox && others.length === 0) {
    const r = await removeCapture(netnsOf(sandbox), ['ipv4', 'ipv6']);
    out.push(r.removed ? 'capture rules removed' : 'no capture rules were installed');
  }
  await d.runtime.removeProxy(p.id, 5);
  out.push(`proxy ${p.id.slice(0, 12)} removed`);
  const pod = await d.readPod?.(p.pod.namespace, p.pod.name).catch(() => undefined);
  const annotated = pod?.metadata?.annotations?.[PROXY_ANNOTATION];
  if (pod?.metadata?.uid === p.pod.uid && annotated === p.id && d.patcher) {
    await d.patcher.setProxyAnnotation(p.pod.namespace, p.pod.name, '');
    out.push(`annotation ${PROXY_ANNOTATION} cleared on ${p.pod.namespace}/${p.pod.name}`);
  }
  return out;
}
