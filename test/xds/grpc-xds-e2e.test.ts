// The control plane driving a real xDS client: @grpc/grpc-js-xds routes real gRPC calls between
// two loopback backends by the weights we serve, follows live updates without a restart,
// rejects an invalid update (we record the NACK, envoy-config shows it, traffic keeps the last
// good config), and recovers after the control plane restarts.
import t from 'tap';
import { execa } from 'execa';
import { pino } from 'pino';
import { ControlPlane } from '../../control/plane.js';
import { Snapshot } from '../../control/xds/snapshot.js';
import { TYPE } from '../../control/xds/types.js';
import { startBackend, tally, withinBinomial, type Backend } from '../support/backends.js';
import { xdsEchoClient } from '../support/xds-client.js';
import { splitInput } from '../support/xds-fixtures.js';

const NODE = 'productpage-v1-6b746f74dc-9stvs.default';
const TARGET = 'reviews.default.svc.cluster.local:9080';
const N = 1000;

async function startPlane(
  port = 0,
): Promise<{ plane: ControlPlane; xdsPort: number; adminPort: number }> {
  const plane = new ControlPlane({
    log: pino({ level: 'silent' }),
    host: '127.0.0.1',
    xdsPort: port,
    adminPort: 0,
  });
  const ports = await plane.start();
  plane.setReady();
  return { plane, ...ports };
}

function snapshotFor(a: Backend, b: Backend, wa: number, wb: number): Snapshot {
  return Snapshot.create(splitInput(TARGET, { a: a.port, b: b.port }, { a: wa, b: wb }));
}

async function waitFor(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function routeAcked(plane: ControlPlane, version: string | undefined): boolean {
  return plane.status.get(NODE)?.types.route?.acked?.version === version;
}

t.test('weights, live updates, NACK, restart', async (t) => {
  const a = await startBackend('reviews-v1');
  const b = await startBackend('reviews-v2');
  const started = await startPlane();
  let plane = started.plane;
  const { xdsPort, adminPort } = started;
  t.teardown(async () => {
    await plane.stop();
    await a.stop();
    await b.stop();
  });
  const s8020 = snapshotFor(a, b, 80, 20);
  t.ok(plane.cache.set(NODE, s8020).valid);
  const client = xdsEchoClient(xdsPort, NODE, TARGET);
  t.teardown(() => client.close());

  const first = await tally(client, N);
  t.comment(`80/20 over ${N} calls: v1=${first['reviews-v1']} v2=${first['reviews-v2']}`);
  t.equal((first['reviews-v1'] ?? 0) + (first['reviews-v2'] ?? 0), N, 'every call answered');
  t.ok(withinBinomial(first['reviews-v1'] ?? 0, N, 0.8, 4), '80/20 within 4 sd');

  const s5050 = snapshotFor(a, b, 50, 50);
  plane.cache.set(NODE, s5050);
  await waitFor('ACK of 50/50', () => routeAcked(plane, s5050.version(TYPE.route)));
  const half = await tally(client, N);
  t.comment(`50/50: v1=${half['reviews-v1']} v2=${half['reviews-v2']}`);
  t.ok(withinBinomial(half['reviews-v1'] ?? 0, N, 0.5, 4), '50/50 within 4 sd');

  const s0100 = snapshotFor(a, b, 0, 100);
  plane.cache.set(NODE, s0100);
  await waitFor('ACK of 0/100', () => routeAcked(plane, s0100.version(TYPE.route)));
  t.same(await tally(client, 200), { 'reviews-v2': 200 }, '0/100 sends everything to v2');

  const bad = snapshotFor(a, b, 0, 0);
  t.ok(
    plane.cache.set(NODE, bad).valid,
    'the server accepts it: only the client knows weights must sum > 0',
  );
  await waitFor('NACK', () => plane.status.get(NODE)?.types.route?.nack !== undefined);
  const nack = plane.status.get(NODE)?.types.route?.nack;
  t.comment(`client NACK: ${nack?.error}`);
  t.match(nack?.error, /weight/i, 'the client error names the weights');
  t.equal(nack?.version, bad.version(TYPE.route));
  t.same(await tally(client, 100), { 'reviews-v2': 100 }, 'traffic keeps the last good config');

  const cli = await execa(
    'node',
    [
      '--import',
      'tsx',
      'tools/envoy-config/main.ts',
      '--nodeId',
      NODE,
      '--type',
      'route',
      '--server',
      `127.0.0.1:${adminPort}`,
    ],
    { reject: false },
  );
  t.equal(cli.exitCode, 0, cli.stderr);
  t.match(
    cli.stdout,
    /# route\s+NACKED\s+\S+: .*weight/i,
    'envoy-config shows the NACK and its error',
  );
  t.match(cli.stdout, /weighted_clusters:/);

  await plane.stop();
  plane = (await startPlane(xdsPort)).plane;
  const back = snapshotFor(a, b, 100, 0);
  plane.cache.set(NODE, back);
  await waitFor(
    'the client to reconnect and ACK',
    () => routeAcked(plane, back.version(TYPE.route)),
    15_000,
  );
  t.same(
    await tally(client, 100),
    { 'reviews-v1': 100 },
    'after a restart the client follows the new server',
  );
});
