// Golden tests for the ingress gateway (node traffic-ingress): Ingress host and path rules
// (Exact, Prefix, ImplementationSpecific), default backends, ports by number and by name, TLS by
// SNI with certificates over SDS; every resource valid by Envoy's own rules and consistent.
import t from 'tap';
import { checkConsistent } from '../../control/xds/consistency.js';
import { PUSH_ORDER, TYPE } from '../../control/xds/types.js';
import { gateway, inputOf } from '../support/gateway-fixture.js';
import { ModelBuilder } from '../support/model.js';
import { API_CERT, SHOP_CERT } from '../support/tls-fixture.js';
import type { R } from '../support/translate-fixture.js';
import { validateResource } from '../validate/pgv.js';
import { checkReferences } from '../validate/references.js';

const API = '8080|shop|api.outbound';
const FRONTEND = '80|shop|frontend.outbound';
const STATIC = '80|shop|static.outbound';

function shop(): ModelBuilder {
  const m = new ModelBuilder();
  m.service('frontend', 'shop', { ip: '10.96.0.1', ports: [{ name: 'http', port: 80 }] });
  m.service('api', 'shop', {
    ip: '10.96.0.2',
    ports: [
      { name: 'http', port: 8080 },
      { name: 'admin', port: 9000 },
    ],
    labels: {
      'traffic.port.8080': 'http',
      'traffic.retries.5xx': '3',
      'traffic.request.timeout': '2500',
      'traffic.hash.header.name': 'x-user',
      'traffic.lb.policy': 'LEAST_REQUEST',
    },
  });
  m.service('static', 'shop', { ip: '10.96.0.3', ports: [{ name: 'web', port: 80 }] });
  m.pod('api-1', 'shop', { ip: '10.0.0.2' });
  m.endpoints('api', 'shop', [{ pod: 'api-1', ip: '10.0.0.2', port: 8081 }], 'http');
  m.secret('shop-tls', 'shop', SHOP_CERT);
  m.ingress('web', 'shop', {
    defaultBackend: { service: 'frontend', port: 80 },
    tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
    rules: [
      {
        host: 'shop.example.com',
        paths: [
          { path: '/api', pathType: 'Prefix', backend: { service: 'api', port: 'http' } },
          { path: '/api/v2/login', pathType: 'Exact', backend: { service: 'api', port: 8080 } },
          { path: '/static/', pathType: 'Prefix', backend: { service: 'static', port: 'web' } },
          {
            path: '/assets',
            pathType: 'ImplementationSpecific',
            backend: { service: 'static', port: 80 },
          },
        ],
      },
      {
        paths: [
          { path: '/healthz', pathType: 'Exact', backend: { service: 'frontend', port: 80 } },
        ],
      },
    ],
  });
  return m;
}

const API_ACTION = {
  cluster: API,
  timeout: '2.5s',
  retry_policy: { retry_on: '5xx', num_retries: 3 },
  hash_policy: [{ header: { header_name: 'x-user' } }],
};

t.test('host and path rules: most specific first, then the default backend', async (t) => {
  const g = gateway(shop());
  t.same(g.issues, [], 'nothing wrong with this Ingress');
  t.same(
    g.vhosts.map((v) => [v.name, v.domains]),
    [
      ['shop_example_com_ingress_vh', ['shop.example.com']],
      ['all_ingress_vh', ['*']],
    ],
    'one virtual host per host, `*` (rules without a host, and every other host) last',
  );
  t.same(g.routes('shop.example.com'), [
    ['shop/web', { path: '/api/v2/login' }, API_ACTION],
    ['shop/web', { path_separated_prefix: '/static' }, { cluster: STATIC }],
    ['shop/web', { prefix: '/assets' }, { cluster: STATIC }],
    ['shop/web', { path_separated_prefix: '/api' }, API_ACTION],
    ['shop/web|default', { prefix: '/' }, { cluster: FRONTEND }],
  ]);
  t.same(g.routes('*'), [
    ['shop/web', { path: '/healthz' }, { cluster: FRONTEND }],
    ['shop/web|default', { prefix: '/' }, { cluster: FRONTEND }],
  ]);
});

t.test('clusters and endpoints: the backend ports, with their Service labels', async (t) => {
  const g = gateway(shop());
  t.same(g.names(TYPE.cluster), [API, FRONTEND, STATIC], 'only the ports the Ingress names');
  t.same(g.get(TYPE.cluster, API), {
    name: API,
    type: 'EDS',
    eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } },
    connect_timeout: '60s',
    lb_policy: 'LEAST_REQUEST',
  });
  const eps = g.get(TYPE.endpoint, API)?.endpoints?.[0]?.lb_endpoints ?? [];
  t.same(
    eps.map((e: R) => e.endpoint.address.socket_address),
    [{ address: '10.0.0.2', port_value: 8081 }],
    'endpoints on the target port, from the EndpointSlice',
  );
  t.same(g.get(TYPE.endpoint, FRONTEND), { cluster_name: FRONTEND }, 'no endpoints yet');
});

t.test('listeners: HTTP on 8080, HTTPS on 8443 with SNI chains and SDS', async (t) => {
  const g = gateway(shop());
  t.same(g.names(TYPE.listener), ['ingress_http', 'ingress_https']);
  t.same(g.names(TYPE.route), ['ingress_http', 'ingress_https']);
  const http = g.get(TYPE.listener, 'ingress_http');
  t.same(http?.address, { socket_address: { address: '0.0.0.0', port_value: 8080 } });
  const hcm = http?.filter_chains?.[0]?.filters?.[0]?.typed_config;
  t.equal(hcm?.stat_prefix, 'traffic-ingress', 'the original stat prefix');
  t.same(hcm?.rds, {
    config_source: { ads: {}, resource_api_version: 'V3' },
    route_config_name: 'ingress_http',
  });
  t.same(
    [hcm?.use_remote_address, hcm?.normalize_path, hcm?.merge_slashes, hcm?.strip_any_host_port],
    [true, true, true, true],
    'an edge proxy: the peer is the client, paths normalised, Host ports ignored',
  );
  t.same(
    hcm?.http_filters?.map((f: R) => f.name),
    ['envoy.filters.http.fault', 'envoy.filters.http.bandwidth_limit', 'envoy.filters.http.router'],
  );
  const https = g.get(TYPE.listener, 'ingress_https');
  t.same(https?.address, { socket_address: { address: '0.0.0.0', port_value: 8443 } });
  t.same(
    https?.listener_filters?.map((f: R) => f.name),
    ['envoy.filters.listener.tls_inspector'],
  );
  t.same(https?.filter_chains?.length, 1);
  const chain = https?.filter_chains?.[0];
  t.same(chain?.filter_chain_match, { server_names: ['shop.example.com'] });
  t.same(chain?.transport_socket, {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
      common_tls_context: {
        tls_certificate_sds_secret_configs: [
          { name: 'shop-tls.shop', sds_config: { ads: {}, resource_api_version: 'V3' } },
        ],
        alpn_protocols: ['h2', 'http/1.1'],
      },
    },
  });
  t.equal(chain?.filters?.[0]?.typed_config?.rds?.route_config_name, 'ingress_https');
  t.same(
    g.get(TYPE.route, 'ingress_https')?.virtual_hosts,
    g.vhosts,
    'HTTPS serves the same hosts and paths',
  );
});

t.test('SDS: the Secret is `<secret>.<namespace>`, its certificate and key inline', async (t) => {
  const g = gateway(shop());
  t.same(g.names(TYPE.secret), ['shop-tls.shop']);
  const s = g.get(TYPE.secret, 'shop-tls.shop');
  const text = (v: string | undefined): string => Buffer.from(v ?? '', 'base64').toString();
  t.equal(text(s?.tls_certificate?.certificate_chain?.inline_bytes), SHOP_CERT.crt);
  t.equal(text(s?.tls_certificate?.private_key?.inline_bytes), SHOP_CERT.key);
});

t.test(
  'TLS: one chain per certificate, hosts by SNI, a tls entry without hosts is the default',
  async (t) => {
    const m = shop();
    m.secret('api-tls', 'shop', API_CERT);
    m.ingress('api', 'shop', {
      tls: [
        { hosts: ['api.example.com', '*.api.example.com'], secretName: 'api-tls' },
        { hosts: [], secretName: 'shop-tls' },
      ],
      rules: [
        {
          host: 'api.example.com',
          paths: [{ path: '/', pathType: 'Prefix', backend: { service: 'api', port: 8080 } }],
        },
      ],
    });
    const g = gateway(m);
    t.same(g.issues, []);
    const chains = g.get(TYPE.listener, 'ingress_https')?.filter_chains ?? [];
    t.same(
      chains.map((c: R) => [c.name, c.filter_chain_match?.server_names ?? null]),
      [
        ['api-tls.shop', ['*.api.example.com', 'api.example.com']],
        ['shop-tls.shop', ['shop.example.com']],
        ['default|shop-tls.shop', null],
      ],
    );
    t.same(g.names(TYPE.secret), ['api-tls.shop', 'shop-tls.shop']);
    t.same(
      g.routes('api.example.com'),
      [['shop/api', { prefix: '/' }, API_ACTION]],
      'Prefix / takes everything: no default route after it',
    );
  },
);

t.test('Prefix semantics: trailing slashes, `/`, and what Envoy is given', async (t) => {
  const m = new ModelBuilder();
  m.service('s', 'ns', { ports: [{ port: 80 }] });
  const p = (path: string, pathType: string) => ({
    path,
    pathType,
    backend: { service: 's', port: 80 },
  });
  m.ingress('i', 'ns', {
    rules: [
      {
        host: 'h.example',
        paths: [
          p('/a/b/', 'Prefix'),
          p('/a', 'Exact'),
          p('/a', 'Prefix'),
          p('/', 'ImplementationSpecific'),
        ],
      },
    ],
  });
  const g = gateway(m);
  t.same(
    g.routes('h.example').map(([, match]) => match),
    [
      { path_separated_prefix: '/a/b' },
      { path: '/a' },
      { path_separated_prefix: '/a' },
      { prefix: '/' },
    ],
  );
});

t.test(
  'no Ingress: an HTTP listener whose route table has no host (404), nothing else',
  async (t) => {
    const g = gateway(new ModelBuilder());
    t.same(g.names(TYPE.listener), ['ingress_http']);
    t.same(g.get(TYPE.route, 'ingress_http'), { name: 'ingress_http' });
    t.same([g.names(TYPE.cluster), g.names(TYPE.secret)], [[], []]);
    t.ok(checkConsistent(g.snapshot).valid);
  },
);

t.test('listener ports come from the options', async (t) => {
  const g = gateway(shop(), {
    ingress: { className: 'traffic-manager', httpPort: 80, httpsPort: 443 },
  });
  t.equal(g.get(TYPE.listener, 'ingress_http')?.address?.socket_address?.port_value, 80);
  t.equal(g.get(TYPE.listener, 'ingress_https')?.address?.socket_address?.port_value, 443);
});

t.test(
  "every gateway resource is valid by Envoy's rules and every reference resolves",
  async (t) => {
    const m = shop();
    m.service('api', 'shop', {
      ip: '10.96.0.2',
      ports: [{ name: 'http', port: 8080 }],
      labels: {
        'traffic.port.8080': 'grpc',
        'traffic.version.v1.weight': '75',
        'traffic.version.v2.weight': '25',
        'traffic.version.v2.header.end-user': 'jason',
        'traffic.fault.abort.percentage': '10',
        'traffic.fault.delay.time': '3000',
        'traffic.fault.delay.percentage': '5',
        'traffic.rate.limit': '512',
        'traffic.hash.cookie.name': 'session',
        'traffic.hash.cookie.ttl': '60',
        'traffic.retries.connect-failure': '2',
        'traffic.connection.max': '10',
      },
    });
    const g = gateway(m);
    const input = inputOf(g.snapshot);
    let n = 0;
    for (const url of PUSH_ORDER) {
      for (const r of input[url] ?? []) {
        n++;
        t.same(validateResource(url, r.resource), [], `${url.split('.').pop()} ${r.name}`);
      }
    }
    t.same(checkReferences(input), [], 'cross-references');
    t.same(checkConsistent(g.snapshot), { valid: true, result: true }, 'EDS, RDS and SDS names');
    t.ok(n >= 10, `${n} resources checked`);
  },
);

t.test('the same model gives byte-identical resources, in any order', async (t) => {
  const a = gateway(shop()).snapshot;
  const m = shop();
  const reversed = new ModelBuilder();
  for (const [k, v] of [...m.services].reverse()) reversed.services.set(k, v);
  for (const [k, v] of [...m.ingresses].reverse()) reversed.ingresses.set(k, v);
  reversed.secrets = m.secrets;
  reversed.pods = m.pods;
  reversed.slices = m.slices;
  t.equal(gateway(reversed).snapshot.fingerprint(), a.fingerprint());
});
