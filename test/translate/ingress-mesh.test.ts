// The gateway routes like the mesh: a Service's traffic labels apply at the ingress gateway
// exactly as for in-mesh callers (seed 003: the same 75/25 split behind a URI prefix, inside and
// outside the cluster), with the very same cluster and endpoint resources; a front proxy routes
// paths to services (seed 004); TLS Secrets reach the gateway's snapshot and no other.
import t from 'tap';
import { readableResource } from '../../control/admin/readable.js';
import { GATEWAY_NODE } from '../../control/translate/names.js';
import { Translator } from '../../control/translate/translator.js';
import { TYPE } from '../../control/xds/types.js';
import { gateway } from '../support/gateway-fixture.js';
import { ModelBuilder } from '../support/model.js';
import { SHOP_CERT, API_CERT } from '../support/tls-fixture.js';
import type { R } from '../support/translate-fixture.js';

const ECHO = '80|echo|echo-service.outbound';
const V1 = '80|echo|echo-service|v1.outbound';
const V2 = '80|echo|echo-service|v2.outbound';

/** Seed 003: echo-service with v1 and v2 pods, split 75/25, reachable as echo.local/echo. */
function echo(labels: Record<string, string> = {}): ModelBuilder {
  const m = new ModelBuilder();
  m.service('echo-service', 'echo', {
    ip: '10.96.1.1',
    ports: [{ name: 'http', port: 80 }],
    labels: {
      'traffic.port.80': 'http',
      'traffic.version.v1.weight': '75',
      'traffic.version.v2.weight': '25',
      ...labels,
    },
  });
  m.pod('echo-v1', 'echo', { ip: '10.0.1.1', labels: { app: 'echo', version: 'v1' } });
  m.pod('echo-v2', 'echo', { ip: '10.0.1.2', labels: { app: 'echo', version: 'v2' } });
  m.pod('debug', 'echo', { ip: '10.0.1.9' });
  m.endpoints(
    'echo-service',
    'echo',
    [
      { pod: 'echo-v1', ip: '10.0.1.1', port: 80 },
      { pod: 'echo-v2', ip: '10.0.1.2', port: 80 },
    ],
    'http',
  );
  m.ingress('echo-route', 'echo', {
    rules: [
      {
        host: 'echo.local',
        paths: [
          {
            path: '/echo',
            pathType: 'ImplementationSpecific',
            backend: { service: 'echo-service', port: 80 },
          },
        ],
      },
    ],
  });
  return m;
}

const read = (tr: Translator, node: string, type: string, name: string): R | undefined => {
  const r = tr
    .snapshotFor(node)
    .items(type as typeof TYPE.route)
    .get(name);
  return r ? readableResource(type, r.bytes) : undefined;
};

t.test('seed 003: the gateway route action is the in-mesh route action (75/25)', async (t) => {
  const m = echo({
    'traffic.version.v2.header.end-user': 'jason',
    'traffic.retries.5xx': '2',
    'traffic.fault.delay.time': '100',
    'traffic.fault.delay.percentage': '50',
  });
  const tr = new Translator(m);
  const mesh = read(tr, 'debug.echo', TYPE.route, ECHO);
  const meshVhost = mesh?.virtual_hosts?.[0];
  const meshDefault = meshVhost?.routes?.find((r: R) => r.name === 'default');
  const meshDark = meshVhost?.routes?.find((r: R) => r.name === 'dark-launch-v2');
  const gw = read(tr, GATEWAY_NODE, TYPE.route, 'ingress_http');
  const gwVhost = gw?.virtual_hosts?.find((v: R) => v.domains?.includes('echo.local'));
  const [dark, split] = gwVhost?.routes ?? [];
  t.same(split?.match, { prefix: '/echo' }, 'the URI prefix match');
  t.same(
    split?.route?.weighted_clusters?.clusters,
    [
      { name: V1, weight: 75 },
      { name: V2, weight: 25 },
    ],
    '75/25 by version subsets',
  );
  t.same(split?.route, meshDefault?.route, 'identical route action (split, retries)');
  t.same(dark?.match, {
    prefix: '/echo',
    headers: [{ name: 'end-user', string_match: { exact: 'jason' } }],
  });
  t.same(dark?.route, meshDark?.route, 'identical dark-launch action');
  t.same(
    split?.typed_per_filter_config,
    meshVhost?.typed_per_filter_config,
    'identical fault config (per route at the gateway, per vhost in the mesh)',
  );
  t.ok(split?.typed_per_filter_config?.['envoy.filters.http.fault']?.delay, 'a real fault config');
});

t.test(
  'seed 003: the gateway gets the very cluster and endpoint resources callers get',
  async (t) => {
    const tr = new Translator(echo());
    const meshSnap = tr.snapshotFor('debug.echo');
    const gwSnap = tr.snapshotFor(GATEWAY_NODE);
    for (const type of [TYPE.cluster, TYPE.endpoint]) {
      const names = [...gwSnap.items(type).keys()];
      t.same(names, [ECHO, V1, V2], `${type.split('.').pop()}: the Service and its subsets`);
      for (const n of names) {
        const a = gwSnap.items(type).get(n);
        const b = meshSnap.items(type).get(n);
        t.ok(
          a && b && Buffer.compare(Buffer.from(a.bytes), Buffer.from(b.bytes)) === 0,
          `${n} byte-identical`,
        );
        t.equal(a, b, `${n}: the same encoded resource, shared`);
      }
    }
    const eps = read(tr, GATEWAY_NODE, TYPE.endpoint, V2)?.endpoints?.[0]?.lb_endpoints ?? [];
    t.same(
      eps.map((e: R) => e.endpoint.address.socket_address.address),
      ['10.0.1.2'],
    );
  },
);

t.test('seed 004: a front proxy routes /service/1 and /service/2 to two services', async (t) => {
  const m = new ModelBuilder();
  for (const n of [1, 2]) {
    m.service(`service${n}`, 'default', { headless: true, ports: [{ name: 'http', port: 80 }] });
    m.pod(`service${n}-pod`, 'default', { ip: `10.0.2.${n}` });
    m.endpoints(
      `service${n}`,
      'default',
      [{ pod: `service${n}-pod`, ip: `10.0.2.${n}`, port: 3000 }],
      'http',
    );
  }
  const path = (n: number) => ({
    path: `/service/${n}`,
    pathType: 'Prefix',
    backend: { service: `service${n}`, port: 'http' },
  });
  m.ingress('front-envoy', 'default', { rules: [{ paths: [path(1), path(2)] }] });
  const g = gateway(m);
  t.same(g.routes('*'), [
    [
      'default/front-envoy',
      { path_separated_prefix: '/service/1' },
      { cluster: '80|default|service1.outbound' },
    ],
    [
      'default/front-envoy',
      { path_separated_prefix: '/service/2' },
      { cluster: '80|default|service2.outbound' },
    ],
  ]);
  for (const n of [1, 2]) {
    const eps = g.get(TYPE.endpoint, `80|default|service${n}.outbound`)?.endpoints?.[0]
      ?.lb_endpoints;
    t.same(
      eps?.map((e: R) => e.endpoint.address.socket_address),
      [{ address: `10.0.2.${n}`, port_value: 3000 }],
      `service${n}: its pod, on the target port (headless Services work the same)`,
    );
  }
});

t.test(
  'a Service an Ingress names is routed as HTTP at the gateway, labelled or not',
  async (t) => {
    const m = echo();
    m.service('plain', 'echo', { ports: [{ port: 8080 }] });
    m.service('direct', 'echo', {
      ports: [{ port: 5000 }],
      labels: { 'traffic.port.5000': 'direct' },
    });
    m.service('raw', 'echo', { ports: [{ port: 6000 }], labels: { 'traffic.port.6000': 'tcp' } });
    m.service('rpc', 'echo', { ports: [{ port: 7000, appProtocol: 'kubernetes.io/h2c' }] });
    const to = (path: string, service: string, port: number) => ({
      path,
      pathType: 'Prefix',
      backend: { service, port },
    });
    m.ingress('more', 'echo', {
      rules: [
        {
          host: 'more.local',
          paths: [
            to('/plain', 'plain', 8080),
            to('/direct', 'direct', 5000),
            to('/raw', 'raw', 6000),
            to('/rpc', 'rpc', 7000),
          ],
        },
      ],
    });
    const tr = new Translator(m);
    const gw = tr.snapshotFor(GATEWAY_NODE);
    const mesh = tr.snapshotFor('debug.echo');
    const names = [
      '8080|echo|plain.outbound',
      '5000|echo|direct.outbound',
      '6000|echo|raw.outbound',
    ];
    for (const n of names) t.ok(gw.items(TYPE.cluster).has(n), `gateway cluster ${n}`);
    t.notOk(
      mesh.items(TYPE.cluster).has(names[0]),
      'no label: callers in the mesh do not proxy it',
    );
    t.notOk(mesh.items(TYPE.cluster).has(names[1]), 'direct: callers pass it through');
    t.equal(
      gw.items(TYPE.cluster).get(names[2]),
      mesh.items(TYPE.cluster).get(names[2]),
      'tcp: the same cluster',
    );
    t.same(read(tr, GATEWAY_NODE, TYPE.cluster, names[0]), {
      name: names[0],
      type: 'EDS',
      eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } },
      connect_timeout: '60s',
      lb_policy: 'ROUND_ROBIN',
    });
    const rpc = read(tr, GATEWAY_NODE, TYPE.cluster, '7000|echo|rpc.outbound');
    t.ok(
      rpc?.typed_extension_protocol_options?.[
        'envoy.extensions.upstreams.http.v3.HttpProtocolOptions'
      ]?.explicit_http_config?.http2_protocol_options,
      'appProtocol h2c: an HTTP/2 upstream',
    );
  },
);

t.test(
  'TLS Secrets: only in the gateway snapshot, only those our Ingresses reference',
  async (t) => {
    const m = echo();
    m.secret('echo-tls', 'echo', SHOP_CERT);
    m.secret('other-tls', 'echo', API_CERT);
    m.secret('unrelated', 'echo', API_CERT);
    m.ingress('echo-route', 'echo', {
      ...m.ingresses.get('echo/echo-route'),
      tls: [{ hosts: ['echo.local'], secretName: 'echo-tls' }],
    });
    m.ingress('nginx', 'echo', {
      className: 'nginx',
      tls: [{ hosts: ['other.local'], secretName: 'other-tls' }],
      rules: [
        {
          host: 'other.local',
          paths: [
            { path: '/', pathType: 'Prefix', backend: { service: 'echo-service', port: 80 } },
          ],
        },
      ],
    });
    m.pod('productpage', 'default', { ip: '10.0.3.1' });
    const tr = new Translator(m);
    const nodes = [
      GATEWAY_NODE,
      ...[...m.pods.values()].map((p) => `${p.name}.${p.namespace}`),
      'traffic-ingress.echo',
      'stranger.default',
      'no-dot-at-all',
    ];
    const secrets = Object.fromEntries(
      nodes.map((n) => [n, [...tr.snapshotFor(n).items(TYPE.secret).keys()]]),
    );
    t.same(secrets[GATEWAY_NODE], ['echo-tls.echo'], 'the gateway: the referenced Secret only');
    for (const n of nodes.slice(1)) t.same(secrets[n], [], `${n}: no Secret`);
    t.same(
      tr.gatewayResult().ingresses.map((i) => i.name),
      ['echo-route'],
      'the nginx Ingress is not ours',
    );
  },
);

t.test(
  'incremental: Ingress and Service changes reach the gateway, and only when said',
  async (t) => {
    const m = echo();
    const tr = new Translator(m);
    const mesh = tr.snapshotFor('debug.echo');
    const first = tr.snapshotFor(GATEWAY_NODE);
    t.equal(tr.snapshotFor(GATEWAY_NODE), first, 'kept while nothing changes');
    m.ingress('second', 'echo', {
      rules: [
        {
          host: 'second.local',
          paths: [
            { path: '/', pathType: 'Prefix', backend: { service: 'echo-service', port: 'http' } },
          ],
        },
      ],
    });
    t.equal(tr.snapshotFor(GATEWAY_NODE), first, 'not rebuilt before the change is announced');
    tr.invalidate({ gateway: true });
    const second = tr.snapshotFor(GATEWAY_NODE);
    t.not(second, first);
    t.equal(tr.snapshotFor('debug.echo'), mesh, 'an Ingress change leaves mesh snapshots alone');
    const vhosts = read(tr, GATEWAY_NODE, TYPE.route, 'ingress_http')?.virtual_hosts ?? [];
    t.same(
      vhosts.map((v: R) => v.domains[0]),
      ['echo.local', 'second.local'],
    );
    m.service('echo-service', 'echo', {
      ip: '10.96.1.1',
      ports: [{ name: 'http', port: 80 }],
      labels: { 'traffic.port.80': 'http', 'traffic.version.v2.weight': '100' },
    });
    tr.invalidate({ services: ['echo/echo-service'] });
    const route = read(tr, GATEWAY_NODE, TYPE.route, 'ingress_http');
    t.same(
      route?.virtual_hosts?.[0]?.routes?.[0]?.route,
      { cluster: V2 },
      'the new split, at once',
    );
    t.same(
      route?.virtual_hosts?.[0]?.routes?.[0]?.route,
      read(tr, 'debug.echo', TYPE.route, ECHO)?.virtual_hosts?.[0]?.routes?.[0]?.route,
    );
  },
);
