// traffic-control for the scale benchmark, in its own process, assembled as control/main.ts
// assembles it (default metrics on, loopback ports), plus IPC commands for what the benchmark
// reads: what the server last sent and saw ACKed per proxy, its CPU time and memory, and the
// snapshot sizes. Args: --kubeconfig PATH --debounce MS --debounce-max MS.
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import { pino } from 'pino';
import { loadKubeConfig } from '../lib/kube.js';
import { TrafficControl } from '../control/traffic-control.js';
import { PUSH_ORDER, typeKey } from '../control/xds/types.js';
import { profile, serve } from './scale-proc.js';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    debounce: { type: 'string', default: '100' },
    'debounce-max': { type: 'string', default: '1000' },
  },
});

const tc = new TrafficControl({
  log: pino({ level: process.env.TM_BENCH_LOG ?? 'warn' }),
  kc: loadKubeConfig({ kubeconfig: values.kubeconfig }),
  host: '127.0.0.1',
  xdsPort: 0,
  adminPort: 0,
  debounceMs: Number(values.debounce),
  debounceMaxMs: Number(values['debounce-max']),
  defaultMetrics: true,
});

const SETTLE_MS = 1000;

/** Per node and type key: the version last sent and the version last ACKed. */
function sync(nodes: string[]): Record<string, Record<string, [string, string]>> {
  const out: Record<string, Record<string, [string, string]>> = {};
  for (const n of nodes) {
    const types = tc.plane.status.get(n)?.types ?? {};
    out[n] = Object.fromEntries(
      Object.entries(types).map(([k, s]) => [k, [s.sent?.version ?? '', s.acked?.version ?? '']]),
    );
  }
  return out;
}

/** Encoded resource bytes of a node's snapshot, per type key. */
function snapshotBytes(node: string): Record<string, number> {
  const snap = tc.plane.cache.get(node)?.snapshot;
  const out: Record<string, number> = {};
  for (const url of PUSH_ORDER) {
    let n = 0;
    for (const r of snap?.items(url).values() ?? []) n += r.bytes.length;
    if (n > 0) out[typeKey(url)] = n;
  }
  return out;
}

serve({
  start: async () => {
    const t = performance.now();
    const ports = await tc.start();
    return {
      ...ports,
      syncMs: performance.now() - t,
      services: tc.store.services.size,
      pods: tc.store.pods.size,
    };
  },
  clock: () => process.hrtime.bigint(),
  idle: () => tc.plane.publisher.idle(),
  sync: (a) => sync(a.nodes as string[]),
  streams: () => tc.plane.xds.openStreams(),
  snapshotBytes: (a) => snapshotBytes(String(a.node)),
  profile: (a) => profile(a.file as string | undefined),
  heap: (a) => writeHeapSnapshot(String(a.file)),
  usage: async (a) => {
    if (a.gc === true) global.gc?.();
    if (a.settle === true) {
      // Freed buffers are given back by V8's background sweeper after the GC: wait for it.
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      global.gc?.();
      await new Promise((r) => setTimeout(r, SETTLE_MS / 4));
    }
    return { cpu: process.cpuUsage(), mem: process.memoryUsage() };
  },
  stop: async () => {
    await tc.stop();
    setTimeout(() => process.exit(0), 50);
    return true;
  },
});
