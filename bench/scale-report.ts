// The scale benchmark's tables: one row per scenario and measure, against the goals.
import { mib, percentile } from './machine.js';
import { SHAPE } from './scale-gen.js';
import type { ScenarioResult } from './scale-scenario.js';

export interface RunInfo {
  machine: string;
  seedMs: number;
  objects: number;
  clockMs: number;
  totalS: number;
  failures: string[];
  /** How traffic-control ran (compiled JS or tsx) and how many load processes. */
  setup: string;
}

const f = (x: number, d = 0): string => (Number.isFinite(x) ? x.toFixed(d) : '—');

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function changeRows(r: ScenarioResult): string[] {
  const c = r.change;
  const sortedLast = [...c.last].sort((a, b) => a - b);
  const cpu = [...c.cpuMs].sort((a, b) => a - b);
  const debounce = r.opts.debounceMs === 0 ? '0' : `${r.opts.debounceMs}/${r.opts.debounceMaxMs}`;
  return [
    row([
      r.opts.name,
      r.opts.delta ? 'delta' : 'SotW',
      debounce,
      `${c.last.length} × ${f(percentile(c.affected, 50))}`,
      f(c.all[0] ?? NaN, 1),
      f(percentile(c.all, 50), 1),
      f(percentile(c.all, 99), 1),
      f(sortedLast.at(-1) ?? NaN, 1),
      f(percentile(cpu, 50)),
      f(
        percentile(
          [...c.loadCpuMs].sort((a, b) => a - b),
          50,
        ),
      ),
      f(percentile(c.writeMs, 50), 1),
    ]),
  ];
}

function initialRows(r: ScenarioResult): string {
  const i = r.initial;
  return row([
    r.opts.name,
    f(i.syncMs / 1000, 1),
    f(i.connectMs / 1000, 1),
    f(i.cpuS, 1),
    mib(i.rssIdle),
    mib(i.rss),
    mib(r.rssEnd),
    mib(r.peakRss),
    `${mib(i.heap)} / ${mib(i.external)}`,
    String(i.wholeBytes),
    `${i.scopedBytes} (${f((100 * i.scopedBytes) / i.wholeBytes, 2)} %)`,
  ]);
}

function stormRow(r: ScenarioResult): string | undefined {
  const s = r.storm;
  if (!s) return undefined;
  return row([
    r.opts.name,
    `${s.replaced} in ${f(s.spanMs / 1000, 1)} s (${s.writes} writes)`,
    f(s.convergeP99),
    f(s.convergeMax),
    String(s.pairs),
    f(s.holdP50),
    f(s.holdP99),
    f(s.holdMax),
    String(s.stillHeld),
    f(s.cpuS, 1),
    f((1000 * s.cpuS) / s.replaced, 1),
  ]);
}

export function printScale(results: ScenarioResult[], info: RunInfo): void {
  const out: string[] = [];
  const n = (x: number): string => x.toLocaleString('en-US');
  const shape = `${n(SHAPE.services)} Services / ${n(SHAPE.services * SHAPE.podsPerService)} pods / ${n(SHAPE.services)} proxies`;
  out.push(`\nScale: ${shape} (${info.machine})`);
  out.push(
    `fake API seeded with ${info.objects} objects in ${f(info.seedMs / 1000, 1)} s; ${info.setup}; clock check ok (±${f(info.clockMs, 2)} ms); run ${f(info.totalS)} s\n`,
  );
  out.push(
    'One-Service weight change → last ACK of every affected proxy (ms from the kube write):\n',
  );
  out.push(
    row([
      'scenario',
      'xDS',
      'debounce ms',
      'changes × affected',
      'first',
      'p50',
      'p99',
      'max',
      'CPU ms/change',
      'proxies CPU ms',
      'fake write ms',
    ]),
  );
  out.push(row(Array(11).fill('---') as string[]));
  for (const r of results) out.push(...changeRows(r));
  out.push(
    '\nInitial sync and traffic-control memory (MiB; RSS after a full GC and 1 s for freed buffers to be given back, peak as the kernel saw it), bytes received by one proxy:\n',
  );
  out.push(
    row([
      'scenario',
      'informer sync s',
      '1k proxies synced s',
      'CPU s',
      'RSS no proxies',
      'RSS synced',
      'RSS end',
      'RSS peak',
      'heap / external',
      'whole-mesh proxy B',
      '5-Service proxy B',
    ]),
  );
  out.push(row(Array(11).fill('---') as string[]));
  for (const r of results) out.push(initialRows(r));
  const storms = results.map(stormRow).filter((x): x is string => x !== undefined);
  if (storms.length > 0) {
    out.push(
      '\nPod churn storm: convergence after the last write, deleted pods held by proxies (ms):\n',
    );
    out.push(
      row([
        'scenario',
        'replaced',
        'converged p99',
        'converged max',
        'pairs',
        'hold p50',
        'hold p99',
        'hold max',
        'still held',
        'CPU s',
        'CPU ms/pod',
      ]),
    );
    out.push(row(Array(11).fill('---') as string[]));
    out.push(...storms);
  }
  for (const f of info.failures) out.push(`\nFAILED ${f}`);
  console.log(out.join('\n'));
}
