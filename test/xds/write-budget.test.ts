// The write budget: with room for less than one response, 40 streams (SotW and delta) that all
// ask at once are answered one after another, each with exactly what it asked for, and a
// snapshot change still reaches every one of them; the budget is all given back at the end.
import t from 'tap';
import { pino } from 'pino';
import { SnapshotCache } from '../../control/xds/cache.js';
import { Snapshot } from '../../control/xds/snapshot.js';
import { XdsServer } from '../../control/xds/server.js';
import { TYPE } from '../../control/xds/types.js';
import { WriteBudget } from '../../control/xds/write-budget.js';
import { adsChannel, deltaClient, namesOf, sotwClient } from '../support/ads-client.js';
import { cla, splitInput } from '../support/xds-fixtures.js';

const deltaNames = (r: { resources: { name: string }[] }): string[] =>
  r.resources.map((x) => x.name).sort();

t.test('WriteBudget: take, wait, wake in order, give back once', async (t) => {
  const b = new WriteBudget(10);
  const order: string[] = [];
  const give = b.take(10);
  t.notOk(b.open, 'spent');
  b.wait(() => order.push('a'));
  b.wait(() => {
    order.push('b');
    b.take(10); // spends it again: c must wait for that to come back
  });
  const c = (): void => void order.push('c');
  b.wait(c);
  give();
  give();
  t.same(order, ['a', 'b'], 'woken in arrival order while open; given back once');
  t.equal(b.waitingStreams, 1);
  b.cancel(c);
  t.equal(b.waitingStreams, 0, 'a closed stream leaves the queue');
  t.throws(() => new WriteBudget(0), RangeError);
});

t.test('1-byte budget: 40 streams served one at a time, all converge', async (t) => {
  const cache = new SnapshotCache();
  const server = new XdsServer({
    cache,
    log: pino({ level: 'silent' }),
    host: '127.0.0.1',
    port: 0,
    writeBudgetBytes: 1,
  });
  const port = await server.start();
  t.teardown(() => server.stop(100));
  let waits = 0;
  const wait = server.writeBudget.wait.bind(server.writeBudget);
  server.writeBudget.wait = (fn) => {
    waits++;
    wait(fn);
  };
  const channel = adsChannel(port);
  t.teardown(() => channel.close());
  const ids = Array.from({ length: 20 }, (_, i) => `p${i}.default`);
  for (const id of ids)
    cache.set(id, Snapshot.create(splitInput('svc', { a: 1, b: 2 }, { a: 80, b: 20 })));
  const sotw = ids.map(() => sotwClient(channel));
  const delta = ids.map(() => deltaClient(channel));
  sotw.forEach((c, i) => {
    c.send({ node: { id: ids[i] }, type_url: TYPE.cluster, resource_names: [] });
    c.send({ type_url: TYPE.endpoint, resource_names: ['cluster_a', 'cluster_b'] });
  });
  delta.forEach((c, i) =>
    c.send({
      node: { id: ids[i] },
      type_url: TYPE.endpoint,
      resource_names_subscribe: ['cluster_a', 'cluster_b'],
    }),
  );
  for (const c of sotw) {
    const got = [await c.next(), await c.next()].map(
      (r) => `${r.type_url}:${namesOf(r).sort().join(',')}`,
    );
    t.same(
      got.sort(),
      [`${TYPE.cluster}:cluster_a,cluster_b`, `${TYPE.endpoint}:cluster_a,cluster_b`].sort(),
    );
  }
  for (const c of delta) t.same(deltaNames(await c.next()), ['cluster_a', 'cluster_b']);
  t.ok(waits > 0, `streams waited for the budget (${waits} times)`);

  for (const id of ids)
    cache.set(id, Snapshot.create(splitInput('svc', { a: 1, b: 5 }, { a: 50, b: 50 })));
  for (const c of sotw) {
    const r = await c.next();
    t.same(namesOf(r), ['cluster_b'], 'SotW: the changed assignment');
  }
  for (const c of delta)
    t.same(deltaNames(await c.next()), ['cluster_b'], 'delta: the changed assignment');
  for (const c of [...sotw, ...delta]) c.close();
  await new Promise((r) => setTimeout(r, 200));
  t.equal(server.writeBudget.bytesInFlight, 0, 'every byte given back');
});

t.test('the budget on /metrics', async (t) => {
  const { ControlMetrics } = await import('../../control/admin/metrics.js');
  const m = new ControlMetrics();
  const b = new WriteBudget(100);
  m.watchWriteBudget(b);
  const give = b.take(150);
  b.wait(() => {});
  const text = await m.registry.metrics();
  t.match(text, /^traffic_control_xds_write_budget_bytes_in_flight 150$/m);
  t.match(text, /^traffic_control_xds_streams_waiting_for_budget 1$/m);
  give();
  t.match(await m.registry.metrics(), /^traffic_control_xds_write_budget_bytes_in_flight 0$/m);
});

t.test('a proxy that stops reading does not hold the budget forever', async (t) => {
  const stallMs = Number(process.env.TM_TEST_STALL_MS ?? 2000);
  const cache = new SnapshotCache();
  const server = new XdsServer({
    cache,
    log: pino({ level: 'silent' }),
    host: '127.0.0.1',
    port: 0,
    writeBudgetBytes: 1,
    writeStallMs: stallMs,
  });
  const port = await server.start();
  t.teardown(() => server.stop(100));
  // ~0.4 MB assignments, a new one per version: a reader that stopped leaves them in flight once
  // its buffers and HTTP/2 window are full.
  const version = (v: number): Snapshot => {
    const input = splitInput('svc', { a: 1, b: 2 }, { a: 80, b: 20 });
    const ports = Array.from({ length: 20_000 }, (_, i) => 1 + ((i + v) % 60_000));
    input[TYPE.endpoint] = [
      { name: 'cluster_a', resource: cla('cluster_a', ports) },
      { name: 'cluster_b', resource: cla('cluster_b', [2]) },
    ];
    return Snapshot.create(input);
  };
  cache.set('stuck.default', version(0));
  cache.set('fine.default', Snapshot.create(splitInput('svc', { a: 1, b: 2 }, { a: 80, b: 20 })));
  const stuck = sotwClient(port);
  const fine = sotwClient(port);
  t.teardown(() => {
    stuck.close();
    fine.close();
  });
  stuck.pause();
  stuck.send({
    node: { id: 'stuck.default' },
    type_url: TYPE.endpoint,
    resource_names: ['cluster_a'],
  });
  await new Promise((r) => setTimeout(r, 50));
  // Every new version is written as soon as the budget has room again, until the stuck
  // reader's window is full and a write stays in flight.
  for (let v = 1; v <= 30; v++) {
    cache.set('stuck.default', version(v));
    await new Promise((r) => setTimeout(r, 5));
  }
  t.notOk(server.writeBudget.open, 'the budget is held by writes to the proxy that stopped');
  fine.send({ node: { id: 'fine.default' }, type_url: TYPE.cluster, resource_names: [] });
  t.ok(await fine.quiet(200), 'the other proxy waits while the budget is held');
  // With a stall time of minutes (TM_TEST_STALL_MS=60000) this is where it would starve.
  const r = await fine.next(stallMs + 3000);
  t.same(
    namesOf(r).sort(),
    ['cluster_a', 'cluster_b'],
    'served once the stalled write stops counting',
  );
});
