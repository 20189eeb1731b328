// Incremental ADS: wildcard and named subscriptions, only changed resources sent, explicit
// removals, unsubscribe, non-existent names announced as removed, initial_resource_versions
// honoured on reconnect, make-before-break removal of clusters.
import t from 'tap';
import { Snapshot } from '../../control/xds/snapshot.js';
import { TYPE } from '../../control/xds/types.js';
import { deltaClient } from '../support/ads-client.js';
import { cla, cluster, splitInput } from '../support/xds-fixtures.js';
import { NODE, startXds } from '../support/xds-harness.js';

function names(r: { resources: { name: string }[] }): string[] {
  return r.resources.map((x) => x.name).sort();
}

t.test('wildcard CDS: full first, then only the changed cluster, then removal', async (t) => {
  const h = await startXds(t);
  const base = splitInput('svc', { a: 1, b: 2 }, { a: 50, b: 50 });
  h.cache.set(NODE.id, Snapshot.create(base));
  const c = deltaClient(h.port);
  t.teardown(() => c.close());
  c.send({ node: NODE, type_url: TYPE.cluster });
  const r1 = await c.next();
  t.same(names(r1), ['cluster_a', 'cluster_b']);
  t.same(r1.removed_resources, []);
  c.send({ type_url: TYPE.cluster, response_nonce: r1.nonce });
  t.ok(await c.quiet(200), 'ACK not answered');
  t.equal(h.acks.length, 1);

  const changed = splitInput('svc', { a: 1, b: 2 }, { a: 50, b: 50 });
  changed[TYPE.cluster] = [
    { name: 'cluster_a', resource: cluster('cluster_a', { connect_timeout: { seconds: 9 } }) },
    { name: 'cluster_b', resource: cluster('cluster_b') },
  ];
  h.cache.set(NODE.id, Snapshot.create(changed));
  const r2 = await c.next();
  t.same(names(r2), ['cluster_a'], 'only the changed cluster is sent');
  c.send({ type_url: TYPE.cluster, response_nonce: r2.nonce });

  const fewer = splitInput('svc', { a: 1, b: 2 }, { a: 50, b: 50 });
  fewer[TYPE.cluster] = [
    { name: 'cluster_a', resource: cluster('cluster_a', { connect_timeout: { seconds: 9 } }) },
  ];
  fewer[TYPE.endpoint] = [{ name: 'cluster_a', resource: cla('cluster_a', [1]) }];
  fewer[TYPE.route] = [{ name: 'route', resource: { name: 'route', virtual_hosts: [] } }];
  h.cache.set(NODE.id, Snapshot.create(fewer));
  const r3 = await c.next();
  t.same(r3.resources, []);
  t.same(r3.removed_resources, ['cluster_b'], 'the removed cluster is announced');
});

t.test(
  'named EDS: subscribe, missing names reported, unsubscribe, resubscribe resends',
  async (t) => {
    const h = await startXds(t);
    h.cache.set(NODE.id, Snapshot.create(splitInput('svc', { a: 1, b: 2 }, { a: 50, b: 50 })));
    const c = deltaClient(h.port);
    t.teardown(() => c.close());
    c.send({
      node: NODE,
      type_url: TYPE.endpoint,
      resource_names_subscribe: ['cluster_a', 'nope'],
    });
    const r1 = await c.next();
    t.same(names(r1), ['cluster_a']);
    t.same(r1.removed_resources, ['nope'], 'a name that does not exist is answered as removed');
    c.send({
      type_url: TYPE.endpoint,
      response_nonce: r1.nonce,
      resource_names_subscribe: ['cluster_b'],
    });
    const r2 = await c.next();
    t.same(names(r2), ['cluster_b'], 'only the newly subscribed resource');
    c.send({
      type_url: TYPE.endpoint,
      response_nonce: r2.nonce,
      resource_names_unsubscribe: ['cluster_a'],
    });
    t.ok(await c.quiet(200), 'unsubscribe needs no answer');
    c.send({
      type_url: TYPE.endpoint,
      response_nonce: r2.nonce,
      resource_names_subscribe: ['cluster_a'],
    });
    const r3 = await c.next();
    t.same(names(r3), ['cluster_a'], 'a resubscribed name is sent again');
  },
);

t.test(
  'reconnect with initial_resource_versions: unchanged resources are not resent',
  async (t) => {
    const h = await startXds(t);
    const snap = Snapshot.create(splitInput('svc', { a: 1, b: 2 }, { a: 50, b: 50 }));
    h.cache.set(NODE.id, snap);
    const c1 = deltaClient(h.port);
    c1.send({ node: NODE, type_url: TYPE.cluster });
    const r1 = await c1.next();
    c1.close();
    const held = Object.fromEntries(r1.resources.map((r) => [r.name, r.version]));
    held.cluster_b = 'an-old-version';
    const c2 = deltaClient(h.port);
    t.teardown(() => c2.close());
    c2.send({ node: NODE, type_url: TYPE.cluster, initial_resource_versions: held });
    const r2 = await c2.next();
    t.same(names(r2), ['cluster_b'], 'only the resource whose version differs');
  },
);

t.test('a push that removes a cluster sends the removal after the route change', async (t) => {
  const h = await startXds(t);
  h.cache.set(NODE.id, Snapshot.create(splitInput('svc', { a: 1, b: 2 }, { a: 50, b: 50 })));
  const c = deltaClient(h.port);
  t.teardown(() => c.close());
  c.send({ node: NODE, type_url: TYPE.cluster });
  const rc = await c.next();
  c.send({ type_url: TYPE.cluster, response_nonce: rc.nonce });
  c.send({ type_url: TYPE.route, resource_names_subscribe: ['route'] });
  const rr = await c.next();
  c.send({ type_url: TYPE.route, response_nonce: rr.nonce });
  const only = splitInput('svc', { a: 1, b: 2 }, { a: 100, b: 0 });
  only[TYPE.cluster] = [
    { name: 'cluster_a', resource: cluster('cluster_a') },
    { name: 'cluster_c', resource: cluster('cluster_c') },
  ];
  only[TYPE.endpoint] = [
    { name: 'cluster_a', resource: cla('cluster_a', [1]) },
    { name: 'cluster_c', resource: cla('cluster_c', [3]) },
  ];
  only[TYPE.route] = [
    {
      name: 'route',
      resource: {
        name: 'route',
        virtual_hosts: [
          {
            name: 'vh',
            domains: ['*'],
            routes: [{ match: { prefix: '' }, route: { cluster: 'cluster_c' } }],
          },
        ],
      },
    },
  ];
  h.cache.set(NODE.id, Snapshot.create(only));
  const seq = [await c.next(), await c.next(), await c.next()];
  t.same(
    seq.map((r) => r.type_url),
    [TYPE.cluster, TYPE.route, TYPE.cluster],
    'CDS add, RDS, then CDS removal',
  );
  t.same(names(seq[0] ?? { resources: [] }), ['cluster_c']);
  t.same(seq[0]?.removed_resources, [], 'nothing removed before the route moved');
  t.same(seq[2]?.removed_resources, ['cluster_b']);
});
