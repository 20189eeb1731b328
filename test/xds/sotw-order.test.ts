// SotW push order and lifecycle: a push that adds a cluster and a route to it sends CDS and EDS
// before RDS; removing a cluster keeps it until after the route change; reconnecting with old
// versions is answered; a peer whose address is not the pod's is refused.
import t from 'tap';
import { Snapshot } from '../../control/xds/snapshot.js';
import { TYPE } from '../../control/xds/types.js';
import { namesOf, sotwClient, type SotwResponse } from '../support/ads-client.js';
import { apiListener, cla, cluster, weightedRoute } from '../support/xds-fixtures.js';
import { NODE, startXds } from '../support/xds-harness.js';

function input(clusters: string[], weights: Record<string, number>) {
  return {
    [TYPE.cluster]: clusters.map((c) => ({ name: c, resource: cluster(c) })),
    [TYPE.endpoint]: clusters.map((c, i) => ({ name: c, resource: cla(c, [1000 + i]) })),
    [TYPE.listener]: [{ name: 'svc', resource: apiListener('svc', 'route') }],
    [TYPE.route]: [{ name: 'route', resource: weightedRoute('route', 'svc', weights) }],
  };
}

async function subscribeAll(c: ReturnType<typeof sotwClient>, clusters: string[]): Promise<void> {
  const req = (type_url: string, resource_names: string[]) => ({
    node: NODE,
    type_url,
    resource_names,
  });
  for (const [url, names] of [
    [TYPE.listener, []],
    [TYPE.route, ['route']],
    [TYPE.cluster, []],
    [TYPE.endpoint, clusters],
  ] as const) {
    c.send(req(url, [...names]));
    const r = await c.next();
    c.send({
      type_url: url,
      resource_names: [...names],
      version_info: r.version_info,
      response_nonce: r.nonce,
    });
  }
}

t.test(
  'wildcard LDS gets real listeners only; api_listeners go to those who name them',
  async (t) => {
    const h = await startXds(t);
    const s = input(['a'], { a: 1 });
    const tcp = {
      '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
      stat_prefix: 'a',
      cluster: 'a',
    };
    const outbound = {
      name: 'outbound',
      address: { socket_address: { address: '0.0.0.0', port_value: 10000 } },
      filter_chains: [
        { filters: [{ name: 'envoy.filters.network.tcp_proxy', typed_config: tcp }] },
      ],
    };
    s[TYPE.listener].push({ name: 'outbound', resource: outbound });
    h.cache.set(NODE.id, Snapshot.create(s));
    const envoy = sotwClient(h.port);
    t.teardown(() => envoy.close());
    envoy.send({ node: NODE, type_url: TYPE.listener, resource_names: [] });
    t.same(
      namesOf(await envoy.next()),
      ['outbound'],
      'a wildcard subscriber never sees api_listeners',
    );
    const grpc = sotwClient(h.port);
    t.teardown(() => grpc.close());
    grpc.send({ node: NODE, type_url: TYPE.listener, resource_names: ['svc'] });
    t.same(namesOf(await grpc.next()), ['svc'], 'a client naming the api_listener gets it');
  },
);

t.test('adding a cluster and routing to it: CDS, EDS, then RDS', async (t) => {
  const h = await startXds(t);
  h.cache.set(NODE.id, Snapshot.create(input(['a'], { a: 1 })));
  const c = sotwClient(h.port);
  t.teardown(() => c.close());
  await subscribeAll(c, ['a']);
  h.cache.set(NODE.id, Snapshot.create(input(['a', 'b'], { a: 1, b: 1 })));
  const seq: SotwResponse[] = [await c.next(), await c.next()];
  t.same(
    seq.map((r) => r.type_url),
    [TYPE.cluster, TYPE.route],
    'cluster first, then the route using it',
  );
  t.same(namesOf(seq[0]).sort(), ['a', 'b']);
  t.ok(await c.quiet(200), 'EDS for b is only sent when the client asks for it');
  c.send({
    type_url: TYPE.endpoint,
    resource_names: ['a', 'b'],
    version_info: 'x',
    response_nonce: h.sent.filter((s) => s.typeUrl === TYPE.endpoint).at(-1)?.nonce,
  });
  // EDS is not full-state in SotW: the client keeps a, so only b is sent.
  t.same(namesOf(await c.next()).sort(), ['b'], 'only the newly subscribed b');
});

t.test('removing a routed cluster: the route moves before the cluster goes', async (t) => {
  const h = await startXds(t);
  h.cache.set(NODE.id, Snapshot.create(input(['a', 'b'], { a: 1, b: 1 })));
  const c = sotwClient(h.port);
  t.teardown(() => c.close());
  await subscribeAll(c, ['a', 'b']);
  h.cache.set(NODE.id, Snapshot.create(input(['a'], { a: 1 })));
  const seq: SotwResponse[] = [await c.next(), await c.next(), await c.next()];
  const types = seq.map((r) => r.type_url);
  t.same(
    types,
    [TYPE.endpoint, TYPE.route, TYPE.cluster],
    'the route moves, then the cluster goes',
  );
  t.same(namesOf(seq[2]), ['a'], 'b leaves last');
  t.ok(await c.quiet(200), 'nothing else: the client already held a and b');
});

t.test('a reconnecting client presenting old versions is answered', async (t) => {
  const h = await startXds(t);
  h.cache.set(NODE.id, Snapshot.create(input(['a'], { a: 1 })));
  const c = sotwClient(h.port);
  t.teardown(() => c.close());
  c.send({
    node: NODE,
    type_url: TYPE.cluster,
    version_info: 'from-a-previous-server',
    resource_names: [],
  });
  const r = await c.next();
  t.same(namesOf(r), ['a']);
  t.not(r.version_info, 'from-a-previous-server');
});

t.test('peer address check: a pod asking for another pod config is refused', async (t) => {
  const h = await startXds(t, (nodeId, ip) =>
    nodeId === NODE.id && ip !== '10.1.2.3'
      ? `peer ${ip} is not the pod IP 10.1.2.3 of ${nodeId}`
      : undefined,
  );
  const c = sotwClient(h.port);
  t.teardown(() => c.close());
  c.send({ node: NODE, type_url: TYPE.cluster });
  const s = await c.ended();
  t.equal(s.code, 7, 'PERMISSION_DENIED');
  t.match(s.details, /peer 127\.0\.0\.1 is not the pod IP 10\.1\.2\.3/);
  t.equal(h.refused.length, 1);
});
