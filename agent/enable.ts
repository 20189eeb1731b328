// The enable half of a pass: one running proxy in the pod's current sandbox (stale, crashed and
// duplicated ones removed), capture installed only once Envoy answers /ready LIVE with its first
// listener (the seed-002 start-up race: capture before Envoy listens breaks every call), then
// the annotation. A pod without a running proxy never keeps capture rules.
import type * as k8s from '@kubernetes/client-node';
import { TrafficError } from '../lib/errors.js';
import { proxyAnnotationOf } from './annotate.js';
import { bootstrapArgs } from './bootstrap.js';
import type { Desired } from './desired.js';
import type { Netns, PassDeps } from './pass-deps.js';
import { podRefOf } from './reconcile.js';
import {
  netnsOf,
  type PodRef,
  type ProxyInfo,
  type ProxySpec,
  type Sandbox,
} from './runtime/types.js';

type Enabled = Extract<Desired, { enabled: true }>;

export class PassError extends TrafficError {
  constructor(
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('TM_RUNTIME', message, options);
    this.name = 'PassError';
  }
}

function proxySpec(d: PassDeps, pod: k8s.V1Pod, ref: PodRef): ProxySpec {
  const c = d.config;
  const args = bootstrapArgs(
    {
      podName: ref.name,
      namespace: ref.namespace,
      ...(pod.status?.podIP ? { podIp: pod.status.podIP } : {}),
      xdsAddress: c.xdsAddress,
      xdsPort: c.xdsPort,
      xdsApi: c.xdsApi,
      adminPort: c.adminPort,
      statsPort: c.statsPort,
      capturePort: c.capturePort,
      ...(c.zipkin ? { zipkin: c.zipkin } : {}),
    },
    { baseId: c.adminPort },
  );
  if (!args.valid) throw new PassError('bootstrap', `invalid bootstrap: ${args.errors.join('; ')}`);
  return {
    pod: ref,
    image: c.proxyImage,
    args: args.result,
    uid: c.proxyUid,
    gid: c.proxyGid,
    labels: c.proxyLabels,
  };
}

async function waitReady(d: PassDeps, netns: Netns, proxy: ProxyInfo): Promise<void> {
  const deadline = d.now() + d.config.readyTimeoutMs;
  let last: string;
  for (;;) {
    const r = await d.ready(netns);
    if (r.ready) return;
    last = r.detail;
    if (d.now() >= deadline) break;
    await d.sleep(200);
  }
  const s = Math.round(d.config.readyTimeoutMs / 1000);
  throw new PassError(
    'not_ready',
    `proxy ${proxy.id.slice(0, 12)} not ready after ${s}s (${last}); capture not installed, traffic goes direct`,
  );
}

/** Removes every proxy but the running one in the current sandbox; returns that one, if any. */
async function pruneProxies(
  d: PassDeps,
  ref: PodRef,
  sandbox: Sandbox,
  proxies: ProxyInfo[],
): Promise<ProxyInfo | undefined> {
  const keep = proxies.find((p) => p.sandboxId === sandbox.id && p.state === 'running');
  for (const p of proxies) {
    if (p === keep) continue;
    if (p.sandboxId === sandbox.id && (p.state === 'exited' || p.state === 'dead')) {
      d.metrics.failures.inc({ reason: 'crashed' });
      const why = `proxy ${p.id.slice(0, 12)} is not running (${p.status}); replacing it`;
      d.events.warning(ref, 'ProxyFailed', why);
    }
    await d.runtime.removeProxy(p.id, 1);
  }
  return keep;
}

/** A problem that only says our chains or hook jumps are absent: nothing was there before. */
function freshInstall(problem: string): boolean {
  return (
    problem.startsWith('missing chain') || /^missing rule: -A (OUTPUT|PREROUTING) /.test(problem)
  );
}

async function installCapture(
  d: PassDeps,
  ref: PodRef,
  netns: Netns,
  want: Enabled,
  proxy: ProxyInfo,
  created: boolean,
): Promise<boolean> {
  const v = await d.capture.verify(netns, want.capture, want.families);
  if (v.ok) return false;
  await waitReady(d, netns, proxy);
  if (created) {
    d.events.normal(
      ref,
      'ProxyStarted',
      `Started proxy ${proxy.id.slice(0, 12)} (${proxy.image}); Envoy is ready`,
    );
  }
  await d.capture.apply(netns, want.capture, want.families);
  const partial = !created && !v.problems.every(freshInstall);
  if (partial) {
    d.events.normal(ref, 'CaptureRepaired', `Repaired capture rules: ${v.problems.join('; ')}`);
  } else {
    d.events.normal(
      ref,
      'CaptureInstalled',
      `Outbound TCP now goes through the proxy on port ${want.capture.capturePort}`,
    );
  }
  return true;
}

export async function enablePod(
  d: PassDeps,
  pod: k8s.V1Pod,
  want: Enabled,
  proxies: ProxyInfo[],
): Promise<void> {
  const ref = podRefOf(pod);
  d.state.disabledSince.delete(ref.uid);
  for (const i of want.issues) d.events.warning(ref, 'InvalidProxyAnnotation', i.message);
  if (want.issues.length > 0)
    d.metrics.failures.inc({ reason: 'invalid_annotation' }, want.issues.length);
  const sandbox = await d.runtime.findSandbox(ref);
  if (!sandbox) {
    // Proxies of a sandbox that is gone serve nobody (on containerd their task would run on in
    // an orphaned netns): remove them now; a new sandbox gets a new proxy.
    for (const p of proxies) await d.runtime.removeProxy(p.id, 1);
    throw new PassError(
      'sandbox_missing',
      `no running sandbox for pod ${ref.namespace}/${ref.name} in ${d.runtime.kind}`,
    );
  }
  const netns = netnsOf(sandbox);
  let proxy = await pruneProxies(d, ref, sandbox, proxies);
  const created = !proxy;
  if (!proxy) {
    if (!d.state.enabledSince.has(ref.uid)) d.state.enabledSince.set(ref.uid, d.now());
    await d.capture.remove(netns, want.families);
    proxy = await d.runtime.createProxy(proxySpec(d, pod, ref), sandbox);
  }
  const installed = await installCapture(d, ref, netns, want, proxy, created);
  if (proxyAnnotationOf(pod) !== proxy.id) {
    await d.patcher.setProxyAnnotation(ref.namespace, ref.name, proxy.id);
  }
  const since = d.state.enabledSince.get(ref.uid);
  if (since !== undefined && (created || installed)) {
    d.metrics.enableSeconds.observe((d.now() - since) / 1000);
  }
  d.state.enabledSince.delete(ref.uid);
  d.events.clear(ref.uid, 'ProxyFailed');
}
