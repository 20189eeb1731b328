// Seed 002, the Istio "control traffic" lab, with labels instead of VirtualServices: dark launch
// (v2 deployed while every call stays on v1, v2 reachable directly and by a tester header),
// canary 20% → 50% → 100%, then resiliency: retries hide a flaky v2 and a timeout bounds a slow
// one, delay and abort faults behave as set, and a circuit breaker rejects overload. The breaker
// comes last, with calls started 20 ms apart:
// grpc-js-xds counts a call against max_requests only once it has started, so calls picked in
// one tick all pass; and after its picker dropped calls, this client version was seen to stop
// applying later route updates (a new client gets them), so nothing is asserted after it.
import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { EchoClient, callHi, withinBinomial } from '../support/backends.js';
import { backendsFor, converged, fingerprint, podIps, startMesh } from '../support/mesh.js';
import { remoteXdsClient } from '../support/xds-client-process.js';

const PORT = 20000 + Math.floor(Math.random() * 20000);
const NODE = 'web-api-7f9c6b8d5-qwert.istioinaction';
const TARGET = 'purchase-history.istioinaction.svc.cluster.local:8080';

const ns = `apiVersion: v1
kind: Namespace
metadata: { name: istioinaction }
`;
const service = `apiVersion: v1
kind: Service
metadata: { name: purchase-history, namespace: istioinaction }
spec:
  selector: { app: purchase-history }
  ports: [{ name: grpc, port: 8080, targetPort: ${PORT} }]
`;
const deploy = (v: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: purchase-history-${v}, namespace: istioinaction, labels: { app: purchase-history, version: ${v} } }
spec:
  replicas: 1
  selector: { matchLabels: { app: purchase-history, version: ${v} } }
  template:
    metadata: { labels: { app: purchase-history, version: ${v} } }
    spec: { containers: [{ name: purchase-history, image: fake-service:${v}, ports: [{ containerPort: ${PORT} }] }] }
`;

t.test('dark launch, canary, resiliency', async (t) => {
  const m = await startMesh(t);
  const apply = async (y: string) =>
    t.equal((await m.kubectl(['apply', '-f', '-'], { input: y })).exitCode, 0);
  await apply(ns);
  await apply(service);
  await apply(deploy('v1'));
  const label = async (...kv: string[]): Promise<void> => {
    const before = fingerprint(m, NODE);
    const r = await m.kubectl([
      'label',
      'svc',
      'purchase-history',
      '-n',
      'istioinaction',
      '--overwrite',
      ...kv,
    ]);
    t.equal(r.exitCode, 0, r.stderr);
    await converged(m, NODE, before);
  };
  const v1 = await backendsFor(t, m, 'app=purchase-history', 1, PORT, 'istioinaction');
  const client = await remoteXdsClient(t, m.xdsPort, NODE, TARGET);
  // The first label needs no wait: the client connects with its first call, after it.
  await m.kubectl([
    'label',
    'svc',
    'purchase-history',
    '-n',
    'istioinaction',
    'traffic.port.8080=grpc',
    'traffic.version.v1.weight=100',
  ]);
  t.same(await client.tally(50), { v1: 50 }, 'before v2 exists: all on v1');

  await apply(deploy('v2'));
  const all = await backendsFor(t, m, 'app=purchase-history,version=v2', 1, PORT, 'istioinaction');
  const v2 = all[0];
  t.same(await client.tally(200), { v1: 200 }, 'dark launch: v2 runs, 0 calls reach it');
  const ips = await podIps(m, 'version=v2', 1, 'istioinaction');
  const direct = new EchoClient(
    `${[...ips.values()][0]}:${PORT}`,
    grpc.credentials.createInsecure(),
  );
  t.teardown(() => direct.close());
  t.equal(await callHi(direct), 'v2', 'v2 can be tested directly');
  await label('traffic.version.v2.header.end-user=tester');
  t.same(await client.tally(20, { 'end-user': 'tester' }), { v2: 20 }, 'and by the tester header');
  t.same(await client.tally(20), { v1: 20 }, 'everyone else still on v1');

  for (const w of [20, 50, 100]) {
    await label(`traffic.version.v1.weight=${100 - w}`, `traffic.version.v2.weight=${w}`);
    // grpc-js-xds was seen to route a handful of calls by the old table just after it ACKed
    // the new one (mean v2 at 20% was 95/500 over 6 runs): those are not part of the split.
    await client.tally(20);
    const got = await client.tally(500);
    t.comment(`canary ${w}%: v1=${got.v1 ?? 0} v2=${got.v2 ?? 0}`);
    t.equal((got.v1 ?? 0) + (got.v2 ?? 0), 500, 'no failed call');
    t.ok(withinBinomial(got.v2 ?? 0, 500, w / 100), `v2 within 3 sd of ${w}%`);
  }
  if (!v2 || !v1[0]) throw new Error('backends missing');

  v2.failRate = 0.1;
  await label('traffic.retries.5xx=4');
  t.same(await client.tally(100), { v2: 100 }, 'retries hide a flaky v2');
  v2.failRate = 0;

  v2.delayMs = 600;
  await label('traffic.retries.5xx-', 'traffic.request.timeout=200');
  const slow = await client.timed();
  t.comment(`slow v2 with a 200 ms timeout: ${JSON.stringify(slow)}`);
  t.equal(slow.who, 'error:DEADLINE_EXCEEDED');
  t.ok(slow.ms < 550, 'the timeout bounds the call');

  v2.delayMs = 0;
  await label(
    'traffic.request.timeout-',
    'traffic.fault.delay.time=300',
    'traffic.fault.delay.percentage=100',
  );
  const delayed = await client.timed();
  t.comment(`with a 300 ms delay fault: ${JSON.stringify(delayed)}`);
  t.equal(delayed.who, 'v2');
  t.ok(delayed.ms >= 300, 'the delay fault is observed');
  await label(
    'traffic.fault.delay.time-',
    'traffic.fault.delay.percentage-',
    'traffic.fault.abort.percentage=100',
    'traffic.fault.abort.status=503',
  );
  t.same(await client.tally(20), { 'error:UNAVAILABLE': 20 }, 'the abort fault: 503 → UNAVAILABLE');
  await label('traffic.fault.abort.percentage-', 'traffic.fault.abort.status-');
  t.same(await client.tally(20), { v2: 20 }, 'faults removed: calls pass again');

  v2.delayMs = 300;
  t.same(await client.burst(10, 20), { v2: 10 }, 'without a breaker, 10 overlapping calls pass');

  await label('traffic.request.max=2');
  const burst = await client.burst(10, 20);
  t.comment(`10 calls 20 ms apart, 300 ms each, max_requests=2: ${JSON.stringify(burst)}`);
  t.ok((burst['error:UNAVAILABLE'] ?? 0) >= 1, 'the breaker rejects overload');
  t.ok((burst.v2 ?? 0) >= 2, 'and lets max_requests calls through');
  v2.delayMs = 0;
});
