// envoy-tools --check: for each proxy, is its pod's capture present and exactly as the agent
// would install it, and does Envoy answer /ready LIVE with a listener. Each failed check is a line
// that says what is wrong; the exit code is 1 when any check failed.
import type * as k8s from '@kubernetes/client-node';
import { captureFor } from '../../agent/annotations.js';
import { familiesOf } from '../../agent/desired.js';
import { proxyReady } from '../../agent/proxy-probe.js';
import { netnsOf, type ProxyInfo, type ProxyRuntime } from '../../agent/runtime/types.js';
import { verifyCapture, type CaptureOptions } from '../../iptables/index.js';

export interface CheckDeps {
  runtime: ProxyRuntime;
  baseCapture: CaptureOptions;
  adminPort: number;
  /** The pod object, when the API is reachable (for its capture annotations and IPv6). */
  readPod?: (namespace: string, name: string) => Promise<k8s.V1Pod | undefined>;
}

export interface CheckResult {
  proxy: ProxyInfo;
  ok: boolean;
  lines: string[];
}

export async function checkProxy(d: CheckDeps, p: ProxyInfo): Promise<CheckResult> {
  const lines: string[] = [];
  const sandbox = await d.runtime.findSandbox(p.pod);
  if (!sandbox)
    return { proxy: p, ok: false, lines: ['pod sandbox: not running (orphaned proxy)'] };
  if (sandbox.id !== p.sandboxId)
    lines.push(
      `FAIL proxy joined sandbox ${p.sandboxId.slice(0, 12)}, the pod now runs in ${sandbox.id.slice(0, 12)}`,
    );
  if (p.state !== 'running') lines.push(`FAIL proxy is ${p.state} (${p.status})`);
  const pod = await d.readPod?.(p.pod.namespace, p.pod.name).catch(() => undefined);
  const capture = captureFor(d.baseCapture, pod?.metadata?.annotations).capture;
  const families = pod ? familiesOf(pod) : (['ipv4'] as const);
  const v = await verifyCapture(netnsOf(sandbox), capture, [...families]);
  lines.push(
    v.ok
      ? `ok   capture rules (${families.join(', ')})`
      : `FAIL capture rules: ${v.problems.join('; ')}`,
  );
  const r = await proxyReady(netnsOf(sandbox), d.adminPort);
  lines.push(r.ready ? `ok   envoy ready (${r.detail})` : `FAIL envoy not ready: ${r.detail}`);
  return { proxy: p, ok: !lines.some((l) => l.startsWith('FAIL')), lines };
}
