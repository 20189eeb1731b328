// One pass for one pod: make the node match what the pod wants, from whatever state it is in
// (nothing yet, half-enabled after a crash, a dead proxy, rules lost with a restarted sandbox, a
// deleted pod). Enable: start Envoy → ready with listeners → capture → annotate. Disable: capture
// off → drain → remove → annotation "". Every step checks before it acts, so repeating a pass is
// harmless and a crash anywhere converges on the next one.
import type * as k8s from '@kubernetes/client-node';
import { proxyAnnotationOf } from './annotate.js';
import type { Desired } from './desired.js';
import { familiesOf } from './desired.js';
import type { PassDeps } from './pass-deps.js';
import { enablePod } from './enable.js';
import { netnsOf, type PodRef, type ProxyInfo } from './runtime/types.js';

export function podRefOf(pod: k8s.V1Pod): PodRef {
  const m = pod.metadata ?? {};
  return { name: m.name ?? '', namespace: m.namespace ?? '', uid: m.uid ?? '' };
}

export async function reconcilePod(
  d: PassDeps,
  uid: string,
  pod: k8s.V1Pod | undefined,
  want: Desired | undefined,
): Promise<void> {
  const proxies = await d.runtime.listProxies(uid);
  if (pod && want?.enabled) {
    await enablePod(d, pod, want, proxies);
    return;
  }
  const ref = pod ? podRefOf(pod) : proxies[0]?.pod;
  if (!ref) return;
  const reason = want && !want.enabled ? want.reason : 'the pod is gone from this node';
  await disablePod(d, ref, pod, proxies, reason);
}

export async function disablePod(
  d: PassDeps,
  ref: PodRef,
  pod: k8s.V1Pod | undefined,
  proxies: ProxyInfo[],
  reason: string,
): Promise<void> {
  const annotated = proxyAnnotationOf(pod);
  if (proxies.length === 0 && annotated === '') {
    d.state.enabledSince.delete(ref.uid);
    return;
  }
  const started = d.state.disabledSince.get(ref.uid) ?? d.now();
  d.state.disabledSince.set(ref.uid, started);
  const sandbox = await d.runtime.findSandbox(ref);
  if (sandbox) {
    const families = pod ? familiesOf(pod) : (['ipv4', 'ipv6'] as const);
    await d.capture.remove(netnsOf(sandbox), [...families]);
  }
  for (const p of proxies) {
    if (sandbox && p.state === 'running') await d.drain(netnsOf(sandbox));
    await d.runtime.removeProxy(p.id, d.config.drainSeconds > 0 ? 5 : 1);
  }
  if (pod) {
    if (proxies.length > 0) {
      const ids = proxies.map((p) => p.id.slice(0, 12)).join(', ');
      d.events.normal(ref, 'ProxyRemoved', `Removed proxy ${ids} and its capture rules: ${reason}`);
    }
    if (annotated !== '') await d.patcher.setProxyAnnotation(ref.namespace, ref.name, '');
  }
  d.metrics.removeSeconds.observe((d.now() - started) / 1000);
  d.state.disabledSince.delete(ref.uid);
  d.state.enabledSince.delete(ref.uid);
  d.events.clear(ref.uid);
}
