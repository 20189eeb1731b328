// One scale scenario: traffic-control (one debounce setting) and 1,000 proxies (SotW or delta)
// against the seeded fake API; the initial sync, a series of one-Service weight changes, and
// optionally a pod churn storm. The fake API process lives across scenarios.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHAPE, nodeIdOf, proxyNodes, scopedNode, serviceAt, stormPlan } from './scale-gen.js';
import {
  controlUsage,
  converge,
  cpuUs,
  latencies,
  type Procs,
  type ServerSync,
} from './scale-measure.js';
import { Child } from './scale-proc.js';
import { Loads } from './scale-loads.js';
import { stormResult, type StormResult } from './scale-storm.js';
import type { StormTimes } from './scale-kube.js';

export interface ScenarioOptions {
  name: string;
  delta: boolean;
  debounceMs: number;
  debounceMaxMs: number;
  changes: number;
  /** Load processes the proxies are spread over. */
  loads: number;
  storm?: { count: number; durationMs: number; generation: number };
  cpuProfDir?: string;
  /** traffic-control compiled to JS, run without tsx (as deployed); undefined: under tsx. */
  controlJs?: string;
  /** Where to write a heap snapshot of traffic-control after the initial sync. */
  heapDir?: string;
}

export interface InitialResult {
  syncMs: number;
  connectMs: number;
  /** After the informers synced, before any proxy connected. */
  rssIdle: number;
  rss: number;
  heap: number;
  external: number;
  scopedBytes: number;
  wholeBytes: number;
  cpuS: number;
}

export interface ChangeResult {
  /** Every affected proxy's latency, over all changes. */
  all: number[];
  /** Per change: the last affected proxy's latency and how many were affected. */
  last: number[];
  affected: number[];
  cpuMs: number[];
  /** CPU the proxies' process used per change (decoding and ACKing). */
  loadCpuMs: number[];
  writeMs: number[];
}

export interface ScenarioResult {
  opts: ScenarioOptions;
  initial: InitialResult;
  change: ChangeResult;
  storm?: StormResult;
  rssEnd: number;
  peakRss: number;
}

const SCOPED_SERVICES = new Set([1, 2, 3, 4, 5]);

async function initial(p: Procs, o: ScenarioOptions): Promise<InitialResult> {
  const nodes = proxyNodes(SHAPE);
  const c = await p.control.call<{ xdsPort: number; syncMs: number }>('start');
  const watch = o.storm
    ? stormPlan(SHAPE, o.storm.count, o.storm.generation).map((r) => r.old.ip)
    : [];
  const idle = (await controlUsage(p, true, true)).mem;
  const cpu0 = cpuUs(await controlUsage(p));
  const t0 = process.hrtime.bigint();
  await p.load.start(c.xdsPort, nodes, o.delta, watch);
  const done = await converge(p, {
    nodes,
    before: {},
    minMs: 0,
    expectAffected: nodes.length,
    cpuFrom: cpu0,
    quietMs: 1000,
  });
  const lat = latencies(done, t0);
  const mem = (await controlUsage(p, true, true)).mem;
  if (o.heapDir) await p.control.call('heap', { file: join(o.heapDir, `${o.name}.heapsnapshot`) });
  const bytes = (node: string): Promise<number> => p.load.bytes(node);
  return {
    syncMs: c.syncMs,
    connectMs: lat.at(-1) ?? NaN,
    rssIdle: idle.rss,
    rss: mem.rss,
    heap: mem.heapUsed,
    external: mem.external,
    scopedBytes: await bytes(scopedNode(SHAPE)),
    wholeBytes: await bytes(nodeIdOf(serviceAt(SHAPE, Math.floor(SHAPE.services / 2)))),
    cpuS: done.cpuUs / 1e6,
  };
}

/** Runs `fn` under traffic-control's CPU profiler when a profile directory is set. */
async function profiled<T>(
  p: Procs,
  o: ScenarioOptions,
  phase: string,
  fn: () => Promise<T>,
): Promise<T> {
  const dir = o.cpuProfDir;
  if (!dir) return fn();
  await p.control.call('profile');
  await p.load.profile();
  try {
    return await fn();
  } finally {
    await p.control.call('profile', { file: join(dir, `${o.name}-${phase}-control.cpuprofile`) });
    await p.load.profile((i) => join(dir, `${o.name}-${phase}-load-${i}.cpuprofile`));
  }
}

async function changes(p: Procs, o: ScenarioOptions): Promise<ChangeResult> {
  const nodes = proxyNodes(SHAPE);
  const out: ChangeResult = {
    all: [],
    last: [],
    affected: [],
    cpuMs: [],
    loadCpuMs: [],
    writeMs: [],
  };
  for (let r = 0; r < o.changes; r++) {
    const index = 2 * (r + 1);
    const before = await p.control.call<ServerSync>('sync', { nodes });
    const cpu0 = cpuUs(await controlUsage(p));
    const load0 = await p.load.cpuUs();
    const t = await p.kube.call<{ before: bigint; after: bigint }>('weights', { index });
    const expect = nodes.length - (SCOPED_SERVICES.has(index) ? 0 : 1);
    const done = await converge(p, {
      nodes,
      before,
      minMs: o.debounceMs + 50,
      expectAffected: expect,
      cpuFrom: cpu0,
    });
    const lat = latencies(done, t.before);
    out.all.push(...lat);
    out.last.push(lat.at(-1) ?? NaN);
    out.affected.push(done.affected.size);
    out.cpuMs.push(done.cpuUs / 1000);
    out.loadCpuMs.push(((await p.load.cpuUs()) - load0) / 1000);
    out.writeMs.push(Number(t.after - t.before) / 1e6);
  }
  out.all.sort((a, b) => a - b);
  return out;
}

async function storm(p: Procs, o: ScenarioOptions): Promise<StormResult | undefined> {
  if (!o.storm) return undefined;
  const nodes = proxyNodes(SHAPE);
  const before = await p.control.call<ServerSync>('sync', { nodes });
  const cpu0 = cpuUs(await controlUsage(p));
  const times = await p.kube.call<StormTimes>('storm', { ...o.storm }, o.storm.durationMs + 60_000);
  const done = await converge(p, {
    nodes,
    before,
    minMs: o.debounceMs + 50,
    expectAffected: nodes.length - 1,
    cpuFrom: cpu0,
    quietMs: 1000,
  });
  const holds = await p.load.holds();
  return stormResult(times, holds, done);
}

function peakRss(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return Number(kb ?? NaN) * 1024;
  } catch {
    return NaN;
  }
}

export async function runScenario(
  kube: Child,
  kubeconfig: string,
  o: ScenarioOptions,
): Promise<ScenarioResult> {
  const args = [
    '--kubeconfig',
    kubeconfig,
    '--debounce',
    String(o.debounceMs),
    '--debounce-max',
    String(o.debounceMaxMs),
  ];
  const script = o.controlJs ?? 'bench/scale-control.ts';
  // As the image runs it (Dockerfile.control): glibc gives freed buffers of 32 KiB and more back
  // to the system, one malloc arena, V8's young generation capped.
  const env: Record<string, string> = {
    MALLOC_MMAP_THRESHOLD_: '32768',
    MALLOC_ARENA_MAX: '1',
    NODE_OPTIONS: '--max-semi-space-size=4',
  };
  // Experiments: `TM_BENCH_SCALE_ENV="K=V …"` and `TM_BENCH_SCALE_NODE_FLAGS="--flag …"`.
  for (const kv of (process.env.TM_BENCH_SCALE_ENV ?? '').split(' ').filter((x) => x !== '')) {
    const i = kv.indexOf('=');
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  const tsx = o.controlJs === undefined;
  const flags = (process.env.TM_BENCH_SCALE_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '');
  const control = new Child('control', script, args, ['--expose-gc', ...flags], tsx, env);
  const load = new Loads(o.loads);
  const p: Procs = { kube, control, load };
  try {
    const init = await initial(p, o);
    const change = await profiled(p, o, 'changes', () => changes(p, o));
    const st = await profiled(p, o, 'storm', () => storm(p, o));
    const end = (await controlUsage(p, true, true)).mem;
    if (o.heapDir)
      await p.control.call('heap', { file: join(o.heapDir, `${o.name}-end.heapsnapshot`) });
    const rssEnd = end.rss;
    return { opts: o, initial: init, change, storm: st, rssEnd, peakRss: peakRss(control.pid) };
  } finally {
    await load.stop();
    await control.stop();
  }
}
