// End to end: `kubectl label` on a Service changes what a real xDS client (@grpc/grpc-js-xds)
// experiences, through the fake API, informers, translation and the ADS server: the canary
// 80/20 → 50/50 → 0/100, a header-routed dark launch, abort and delay faults, retries hiding a
// flaky backend, and RING_HASH on a header keeping a caller on one backend.
import t from 'tap';
import { withinBinomial } from '../support/backends.js';
import { backendsFor, converged, fingerprint, startMesh } from '../support/mesh.js';
import { remoteXdsClient } from '../support/xds-client-process.js';

import { manifest, NODE, PORT, TARGET } from '../support/reviews-app.js';

t.test('kubectl label drives a proxyless gRPC client', async (t) => {
  const m = await startMesh(t);
  const applied = await m.kubectl(['apply', '-f', '-'], { input: manifest() });
  t.equal(applied.exitCode, 0, applied.stderr);
  const backends = await backendsFor(t, m, 'app=reviews', 2, PORT);
  const v2 = backends.find((b) => b.name === 'v2');
  const client = await remoteXdsClient(t, m.xdsPort, NODE, TARGET);
  const label = async (...kv: string[]) => {
    const before = fingerprint(m, NODE);
    const r = await m.kubectl(['label', 'svc', 'reviews', '--overwrite', ...kv]);
    t.equal(r.exitCode, 0, r.stderr);
    await converged(m, NODE, before);
  };

  await m.kubectl(['label', 'svc', 'reviews', 'traffic.port.9080=grpc']);
  t.same(
    Object.keys(await client.tally(100)).sort(),
    ['v1', 'v2'],
    'port labelled: both versions serve',
  );

  for (const [w1, w2] of [
    [80, 20],
    [50, 50],
    [0, 100],
  ] as const) {
    await label(`traffic.version.v1.weight=${w1}`, `traffic.version.v2.weight=${w2}`);
    const n = 500;
    const got = await client.tally(n);
    t.comment(`weights ${w1}/${w2}: v1=${got.v1 ?? 0} v2=${got.v2 ?? 0}`);
    t.equal((got.v1 ?? 0) + (got.v2 ?? 0), n, 'no failed call');
    t.ok(withinBinomial(got.v2 ?? 0, n, w2 / 100, 4), `v2 share within 4 sd of ${w2}%`);
  }

  await label(
    'traffic.version.v1.weight=100',
    'traffic.version.v2.weight=0',
    'traffic.version.v2.header.end-user=jason',
  );
  const tester = await client.tally(50, { 'end-user': 'jason' });
  t.same(tester, { v2: 50 }, 'dark launch: the tester header reaches v2');
  t.same(await client.tally(50), { v1: 50 }, 'everyone else stays on v1');

  await label(
    'traffic.version.v2.header.end-user-',
    'traffic.version.v1.weight=0',
    'traffic.version.v2.weight=100',
    'traffic.fault.abort.percentage=100',
    'traffic.fault.abort.status=503',
  );
  t.same(await client.tally(20), { 'error:UNAVAILABLE': 20 }, 'abort 100% gives the status');

  await label(
    'traffic.fault.abort.percentage-',
    'traffic.fault.delay.time=300',
    'traffic.fault.delay.percentage=100',
  );
  const delayed = await client.timed();
  t.equal(delayed.who, 'v2');
  t.comment(`delayed call took ${delayed.ms} ms`);
  t.ok(delayed.ms >= 300, 'the 300 ms delay is observed');

  await label('traffic.fault.delay.time-', 'traffic.fault.delay.percentage-');
  if (v2) v2.failRate = 0.1; // gRPC caps attempts at 5: 0.1^5 per call keeps this test deterministic enough
  const flaky = await client.tally(100);
  t.comment(`flaky v2 without retries: ${JSON.stringify(flaky)}`);
  t.ok((flaky['error:UNAVAILABLE'] ?? 0) > 0, 'failures show without retries');
  await label('traffic.retries.5xx=6');
  const retried = await client.tally(100);
  t.comment(`flaky v2 with retries: ${JSON.stringify(retried)}`);
  t.same(retried, { v2: 100 }, 'retries turn failures into successes');
  if (v2) v2.failRate = 0;

  await label(
    'traffic.version.v1.weight-',
    'traffic.version.v2.weight-',
    'traffic.retries.5xx-',
    'traffic.lb.policy=RING_HASH',
    'traffic.hash.header.name=x-user',
  );
  for (const user of ['alice', 'bob', 'carol']) {
    const seen = Object.keys(await client.tally(30, { 'x-user': user }));
    t.equal(seen.length, 1, `${user} stays on one backend (${seen.join(',')})`);
  }
});
