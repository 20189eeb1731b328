// `npm run bench -- agent`: traffic-agent on the real (private) Docker engine with real iptables.
// N pods of one Deployment run as sandboxes + app containers; the agent runs as its own process.
// Label the Deployment → per pod, the time until the agent annotated it (the last step, after
// Envoy-ready and capture); then remove the label → the time until the annotation is cleared
// (after capture removal and container removal). Then the agent's RSS with N proxied pods.
// Uses the stand-in proxy image (no Envoy binary here): container start costs are real, Envoy's
// own start-up time (~0.5–1 s to LIVE with a first listener) is not in these numbers.
// Both runtimes (TM_BENCH_RUNTIMES, default docker,containerd): the private Docker engine, and a
// private containerd with CRI (the agent adopts the image from k8s.io on the first start).
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { agentEnv, deployment, runningPods } from '../test/agent/agent-env.js';
import { spawnAgent, type ProcessEnv } from '../test/agent/agent-process.js';
import { ctrdAgentEnv } from '../test/agent/ctrd-env.js';
import type { Harness } from '../test/fake-kube/testing.js';
import { machine, mib, percentile } from './machine.js';

type Teardown = { teardown(fn: () => unknown): void };

async function withTeardown<T>(fn: (t: Teardown) => Promise<T>): Promise<T> {
  const fns: Array<() => unknown> = [];
  try {
    return await fn({ teardown: (f) => fns.push(f) });
  } finally {
    for (const f of fns) await f();
  }
}

/** Times from `t0` until each pod's annotation satisfies `done` (polled every 20 ms). */
type BenchEnv = Harness & ProcessEnv & { core: Parameters<typeof runningPods>[0]['core'] };

async function timeAnnotations(
  e: BenchEnv,
  names: string[],
  t0: number,
  done: (v: string | undefined) => boolean,
  limitMs: number,
): Promise<number[]> {
  const out = new Map<string, number>();
  while (out.size < names.length && performance.now() - t0 < limitMs) {
    for (const n of names) {
      if (out.has(n)) continue;
      const p = e.fake.get('pods', n, 'default');
      const ann = (p?.metadata as { annotations?: Record<string, string> })?.annotations;
      if (done(ann?.['traffic.envoy.proxy'])) out.set(n, performance.now() - t0);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  if (out.size < names.length)
    throw new Error(`only ${out.size}/${names.length} pods in ${limitMs} ms`);
  return [...out.values()].sort((a, b) => a - b);
}

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}

function row(label: string, ms: number[]): string {
  const s = (x: number): string => (x / 1000).toFixed(2);
  return `| ${label} | ${ms.length} | ${s(percentile(ms, 50))} | ${s(percentile(ms, 99))} | ${s(ms[ms.length - 1] ?? 0)} |`;
}

async function runOnce(kind: string, n: number): Promise<string[]> {
  return withTeardown(async (t) => {
    const e: BenchEnv = kind === 'containerd' ? await ctrdAgentEnv(t) : await agentEnv(t);
    const r = await e.kubectl(['apply', '-f', '-'], { input: deployment('bench', n) });
    if (r.exitCode !== 0) throw new Error(r.stderr);
    const pods = await runningPods(e, 'bench', n).catch(async () => runningPods(e, 'bench', n));
    const names = pods.map((p) => p.metadata?.name ?? '');
    const agent = spawnAgent(e, t, { built: true });
    await agent.started;
    const rssIdle = rssOf(agent.pid);
    let t0 = performance.now();
    await e.kubectl(['label', 'deployment', 'bench', 'traffic.envoy.enabled=true']);
    const on = await timeAnnotations(e, names, t0, (v) => !!v, 300_000);
    await new Promise((res) => setTimeout(res, 3000));
    const rss = rssOf(agent.pid);
    t0 = performance.now();
    await e.kubectl(['label', 'deployment', 'bench', 'traffic.envoy.enabled-']);
    const off = await timeAnnotations(e, names, t0, (v) => v === '', 300_000);
    await agent.kill('SIGTERM');
    return [
      row(`${kind}: enable (label → annotated), ${n} pods`, on),
      row(`${kind}: disable (unlabel → cleared), ${n} pods`, off),
      `| ${kind}: agent RSS ${mib(rssIdle)} MiB with ${n} pods idle, ${mib(rss)} MiB with ${n} proxied pods | | | | |`,
    ];
  });
}

export async function agentBench(): Promise<void> {
  const sizes = (process.env.TM_BENCH_AGENT_PODS ?? '50,100').split(',').map(Number);
  const kinds = (process.env.TM_BENCH_RUNTIMES ?? 'docker,containerd').split(',');
  await execa('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  console.log(`agent bench on ${machine()} (the built agent, dist/agent/main.js)`);
  console.log('| what | pods | p50 s | p99 s | max s |');
  console.log('| ---- | ---- | ----- | ----- | ----- |');
  for (const kind of kinds) {
    for (const n of sizes) for (const line of await runOnce(kind, n)) console.log(line);
  }
}
