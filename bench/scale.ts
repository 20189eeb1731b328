// Scale benchmark (issue 8): 1,000 Services / 10,000 pods / 1,000 connected proxies. Three
// processes besides this one: the fake API (seeded, no controllers), traffic-control, and the
// proxies (raw ADS streams). Scenarios differ in the proxies' protocol and the debounce; each
// measures the initial sync, one-Service weight changes and (optionally) a pod churn storm.
// `TM_BENCH_SCALE` picks scenarios (comma list of sotw-0, sotw-100, delta-0, delta-100; storms
// with a `+storm` suffix); `TM_BENCH_SCALE_CHANGES` the changes per scenario;
// `TM_BENCH_SCALE_PROF` a directory for CPU profiles of traffic-control and the proxies (per
// phase), `TM_BENCH_SCALE_HEAP` one for a heap snapshot of traffic-control after the sync.
import { execa } from 'execa';
import { machine } from './machine.js';
import { SHAPE } from './scale-gen.js';
import { checkClock } from './scale-measure.js';
import { Child } from './scale-proc.js';
import { printScale } from './scale-report.js';
import { runScenario, type ScenarioOptions, type ScenarioResult } from './scale-scenario.js';

const BUILD = '.cache/scale-build';

/**
 * traffic-control's side compiled to plain JS (what the image runs), so its memory is not
 * tsx's; `TM_BENCH_SCALE_TSX=1` runs it under tsx instead.
 */
async function buildControl(): Promise<string | undefined> {
  if (process.env.TM_BENCH_SCALE_TSX === '1') return undefined;
  const tsc = 'node_modules/.bin/tsc';
  const opts = ['--outDir', BUILD, '--rootDir', '.', '--module', 'NodeNext', '--moduleResolution'];
  const more = ['NodeNext', '--target', 'ES2022', '--lib', 'ES2023', '--types', 'node'];
  const flags = ['--esModuleInterop', '--skipLibCheck', '--resolveJsonModule', '--strict'];
  await execa(tsc, ['--ignoreConfig', 'bench/scale-control.ts', ...opts, ...more, ...flags]);
  return `${BUILD}/bench/scale-control.js`;
}

const DEFAULT_SCENARIOS = 'sotw-0,sotw-100+storm,delta-0,delta-100+storm';

function scenarios(controlJs: string | undefined): ScenarioOptions[] {
  const spec = process.env.TM_BENCH_SCALE ?? DEFAULT_SCENARIOS;
  const changes = Number(process.env.TM_BENCH_SCALE_CHANGES ?? 10);
  const loads = Number(process.env.TM_BENCH_SCALE_LOADS ?? 2);
  let generation = 0;
  return spec.split(',').map((s) => {
    const m = /^(sotw|delta)-(\d+)(\+storm)?$/.exec(s.trim());
    if (!m) throw new Error(`TM_BENCH_SCALE: cannot read "${s}"`);
    const debounceMs = Number(m[2]);
    const count = Math.min(500, SHAPE.services / 2);
    const storm = m[3] ? { count, durationMs: 10_000, generation: ++generation } : undefined;
    return {
      name: s.trim(),
      delta: m[1] === 'delta',
      debounceMs,
      debounceMaxMs: debounceMs === 0 ? 0 : 1000,
      changes,
      loads,
      ...(controlJs ? { controlJs } : {}),
      ...(storm ? { storm } : {}),
      ...(process.env.TM_BENCH_SCALE_PROF ? { cpuProfDir: process.env.TM_BENCH_SCALE_PROF } : {}),
      ...(process.env.TM_BENCH_SCALE_HEAP ? { heapDir: process.env.TM_BENCH_SCALE_HEAP } : {}),
    };
  });
}

export async function scaleBench(): Promise<void> {
  const controlJs = await buildControl();
  const list = scenarios(controlJs);
  const started = Date.now();
  const kube = new Child('kube', 'bench/scale-kube.ts');
  const results: ScenarioResult[] = [];
  const failures: string[] = [];
  let seed: { kubeconfig: string; seedMs: number; objects: number };
  let clockMs: number;
  try {
    seed = await kube.call('start');
    clockMs = await checkClock([kube]);
    for (const o of list) {
      console.error(`scale: ${o.name} …`);
      try {
        results.push(await runScenario(kube, seed.kubeconfig, o));
      } catch (err) {
        failures.push(`${o.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  } finally {
    await kube.stop();
  }
  printScale(results, {
    machine: machine(),
    seedMs: seed.seedMs,
    objects: seed.objects,
    clockMs,
    totalS: (Date.now() - started) / 1000,
    failures,
    setup: `traffic-control ${controlJs ? 'compiled to JS' : 'under tsx'}, proxies in ${list[0]?.loads ?? 1} load process(es)`,
  });
}
