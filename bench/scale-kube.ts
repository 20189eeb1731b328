// The fake Kubernetes API for the scale benchmark, in its own process, without controllers:
// the generated cluster is seeded directly, and the benchmark's writes are made here, each
// timestamped with process.hrtime.bigint() just before the write (CLOCK_MONOTONIC, shared by
// every process on the machine). The churn storm plays the controllers' part: the ReplicaSet
// controller replaces a pod, the EndpointSlice controller follows each pod change.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeKube, type FakeKube } from '../test/fake-kube/server.js';
import {
  SHAPE,
  generate,
  podObject,
  podSpec,
  serviceAt,
  serviceObject,
  sliceObject,
  stormPlan,
  type PodSpec,
} from './scale-gen.js';
import { serve } from './scale-proc.js';

const dir = mkdtempSync(join(tmpdir(), 'tm-scale-'));
let fake: FakeKube | undefined;
const now = (): bigint => process.hrtime.bigint();

function kube(): FakeKube {
  if (!fake) throw new Error('not started');
  return fake;
}

async function start(): Promise<{ kubeconfig: string; seedMs: number; objects: number }> {
  fake = await createFakeKube({ controllers: false, bookmarkIntervalMs: 0 });
  const objects = generate(SHAPE);
  const t = performance.now();
  fake.seed(objects);
  const seedMs = performance.now() - t;
  return {
    kubeconfig: fake.writeKubeconfig(join(dir, 'kubeconfig.yaml')),
    seedMs,
    objects: objects.length,
  };
}

const weightsNow = new Map<number, number>();

/**
 * Moves Service `index`'s v1 weight on by 10 (v2 gets the rest), so every call is a change;
 * returns the weights and the times just before and after the write.
 */
function weights(index: number): { weights: [number, number]; before: bigint; after: bigint } {
  const v1 = ((weightsNow.get(index) ?? 90) % 90) + 10;
  weightsNow.set(index, v1);
  const w: [number, number] = [v1, 100 - v1];
  const obj = serviceObject(serviceAt(SHAPE, index), w);
  const before = now();
  kube().seed(obj);
  return { weights: w, before, after: now() };
}

export interface StormTimes {
  /** Per replaced pod: its IP, when its delete was issued, when its replacement became an endpoint. */
  pods: { ip: string; deletedAt: bigint; replacedAt: bigint }[];
  firstAt: bigint;
  lastAt: bigint;
  writes: number;
}

/** The pods each Service has now (the storms change them). */
const pods = new Map<number, PodSpec[]>();

function current(i: number): PodSpec[] {
  let list = pods.get(i);
  if (!list) {
    const s = serviceAt(SHAPE, i);
    list = Array.from({ length: SHAPE.podsPerService }, (_, p) => podSpec(SHAPE, s, p));
    pods.set(i, list);
  }
  return list;
}

/**
 * Storm `generation` (1, 2, …): `count` pods replaced over `durationMs`, each by a delete and
 * the slice without it, then (half a step later) the new pod and the slice with it.
 */
async function storm(count: number, durationMs: number, generation: number): Promise<StormTimes> {
  const f = kube();
  const plan = stormPlan(SHAPE, count, generation);
  const out: StormTimes = { pods: [], firstAt: now(), lastAt: 0n, writes: 0 };
  const step = durationMs / count;
  const t0 = performance.now();
  const at = async (ms: number): Promise<void> => {
    const wait = t0 + ms - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  };
  for (const [k, r] of plan.entries()) {
    await at(k * step);
    const list = current(r.svc.index).filter((p) => p.name !== r.old.name);
    const deletedAt = now();
    f.remove('pods', r.old.name, r.svc.namespace);
    f.seed(sliceObject(r.svc, list));
    await at(k * step + step / 2);
    list.splice(r.old.index, 0, r.fresh);
    pods.set(r.svc.index, list);
    f.seed(podObject(SHAPE, r.fresh));
    const replacedAt = now();
    f.seed(sliceObject(r.svc, list));
    out.pods.push({ ip: r.old.ip, deletedAt, replacedAt });
    out.writes += 4;
    out.lastAt = replacedAt;
  }
  return out;
}

serve({
  start: () => start(),
  clock: () => now(),
  weights: (a) => weights(Number(a.index)),
  storm: (a) => storm(Number(a.count), Number(a.durationMs), Number(a.generation)),
  stop: async () => {
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
    setTimeout(() => process.exit(0), 50);
    return true;
  },
});
