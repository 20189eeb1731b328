// xDS push benchmark: N proxies (raw ADS streams in a separate process, ACKing like Envoy) hold a
// snapshot of C clusters; one route change is set for every node; we time from the change to
// each proxy's ACK of the new route version. Reports p50/p99/max and the server's RSS.
import { execaNode } from 'execa';
import { pino } from 'pino';
import { ControlPlane } from '../control/plane.js';
import { Snapshot, type SnapshotInput } from '../control/xds/snapshot.js';
import { TYPE } from '../control/xds/types.js';
import { apiListener, cla, cluster, weightedRoute } from '../test/support/xds-fixtures.js';
import { machine, mib, percentile } from './machine.js';

const CLUSTERS = 50;

type Named = { name: string; resource: object }[];
const NAMES = Array.from({ length: CLUSTERS }, (_, i) => `9080|default|svc-${i}.outbound`);
// Every node shares the same resource objects, as translation does, so each is encoded once.
const CLUSTER_LIST: Named = NAMES.map((n) => ({ name: n, resource: cluster(n) }));
const ENDPOINTS: Named = NAMES.map((n, i) => ({
  name: n,
  resource: cla(n, [10000 + i, 20000 + i]),
}));
const LISTENER: Named = [{ name: 'svc', resource: apiListener('svc', 'route') }];
const ROUTES = new Map<number, Named>();

function snapshotInput(weight: number): SnapshotInput {
  let route = ROUTES.get(weight);
  if (!route) {
    const w = { [NAMES[0] ?? '']: weight, [NAMES[1] ?? '']: 100 - weight };
    route = [{ name: 'route', resource: weightedRoute('route', 'svc', w) }];
    ROUTES.set(weight, route);
  }
  return {
    [TYPE.cluster]: CLUSTER_LIST,
    [TYPE.endpoint]: ENDPOINTS,
    [TYPE.listener]: LISTENER,
    [TYPE.route]: route,
  };
}

type Reply = { ok: boolean; times?: string[]; error?: string };

async function runOne(n: number, rounds: number): Promise<string> {
  const plane = new ControlPlane({
    log: pino({ level: 'silent' }),
    host: '127.0.0.1',
    xdsPort: 0,
    adminPort: 0,
  });
  const { xdsPort } = await plane.start();
  const nodes = Array.from({ length: n }, (_, i) => `bench-${i}.default`);
  const first = Snapshot.create(snapshotInput(50));
  for (const id of nodes) plane.cache.set(id, first);
  const child = execaNode('bench/ads-load.ts', [], {
    nodeOptions: ['--import', 'tsx'],
    ipc: true,
    reject: false,
  });
  const ask = async (m: object): Promise<Reply> => {
    await child.sendMessage(m);
    return (await child.getOneMessage()) as unknown as Reply;
  };
  await ask({ cmd: 'start', port: xdsPort, nodes });
  const ready = await ask({
    cmd: 'wait',
    typeUrl: TYPE.route,
    version: first.version(TYPE.route),
    nodes,
  });
  if (!ready.ok) throw new Error(ready.error);
  const lat: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const snap = Snapshot.create(snapshotInput(r % 2 === 0 ? 80 : 20));
    const t0 = process.hrtime.bigint();
    for (const id of nodes) plane.cache.set(id, snap);
    const done = await ask({
      cmd: 'wait',
      typeUrl: TYPE.route,
      version: snap.version(TYPE.route),
      nodes,
    });
    if (!done.ok) throw new Error(done.error);
    for (const t of done.times ?? []) lat.push(Number(BigInt(t) - t0) / 1e6);
  }
  const rss = process.memoryUsage().rss;
  await ask({ cmd: 'stop' });
  await child;
  await plane.stop();
  lat.sort((a, b) => a - b);
  const f = (x: number): string => x.toFixed(1);
  return `| ${n} | ${CLUSTERS} | ${rounds} | ${f(percentile(lat, 50))} | ${f(percentile(lat, 99))} | ${f(lat.at(-1) ?? NaN)} | ${mib(rss)} |`;
}

export async function xdsPush(): Promise<void> {
  const rows: string[] = [];
  for (const n of [100, 1000]) rows.push(await runOne(n, 10));
  console.log(`\nxDS push: one route change → every proxy ACKs (${machine()})\n`);
  console.log('| streams | clusters each | changes | p50 ms | p99 ms | max ms | server RSS MiB |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}
