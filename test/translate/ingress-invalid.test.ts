// Which Ingresses are ours (class name, legacy annotation, default IngressClass), and what the
// gateway does with bad ones: each problem is an issue on its Ingress (an Event later), the rest
// of that Ingress and every other Ingress are still served, and nothing throws.
import t from 'tap';
import { checkConsistent } from '../../control/xds/consistency.js';
import { INGRESS_CONTROLLER, isOurIngress } from '../../control/policy/ingress-class.js';
import { TYPE } from '../../control/xds/types.js';
import type { IngressModel } from '../../control/model/types.js';
import { gateway } from '../support/gateway-fixture.js';
import { ModelBuilder } from '../support/model.js';
import { API_CERT, SHOP_CERT } from '../support/tls-fixture.js';

const OURS = 'traffic-manager';

function ing(o: Partial<IngressModel>): IngressModel {
  return { name: 'i', namespace: 'ns', uid: 'u', annotations: {}, rules: [], tls: [], ...o };
}

t.test('ingress class selection', async (t) => {
  const none = new Map();
  const ourDefault = new Map([
    [OURS, { name: OURS, controller: INGRESS_CONTROLLER, isDefault: true }],
  ]);
  const ourClass = new Map([
    [OURS, { name: OURS, controller: INGRESS_CONTROLLER, isDefault: false }],
  ]);
  const foreign = new Map([
    [OURS, { name: OURS, controller: 'k8s.io/ingress-nginx', isDefault: true }],
  ]);
  const legacy = { 'kubernetes.io/ingress.class': OURS };
  const cases: [string, IngressModel, ReadonlyMap<string, never> | typeof ourDefault, boolean][] = [
    ['our class name', ing({ className: OURS }), none, true],
    ['another class name', ing({ className: 'nginx' }), ourDefault, false],
    ['no class, no default class', ing({}), none, false],
    ['no class, ours is not the default', ing({}), ourClass, false],
    ['no class, ours is the default', ing({}), ourDefault, true],
    ['no class, a default class named ours for another controller', ing({}), foreign, false],
    [
      'our class name, but the IngressClass names another controller',
      ing({ className: OURS }),
      foreign,
      false,
    ],
    ['legacy annotation', ing({ annotations: legacy }), none, true],
    [
      'legacy annotation for another class, ours the default',
      ing({ annotations: { 'kubernetes.io/ingress.class': 'nginx' } }),
      ourDefault,
      false,
    ],
    [
      'the class name wins over the annotation',
      ing({ className: 'nginx', annotations: legacy }),
      none,
      false,
    ],
  ];
  for (const [what, i, classes, want] of cases) t.equal(isOurIngress(i, classes, OURS), want, what);
  t.equal(isOurIngress(ing({ className: 'edge' }), none, 'edge'), true, 'a configured class');
});

t.test('the configured class decides what the gateway serves', async (t) => {
  const m = new ModelBuilder();
  m.service('s', 'ns', { ports: [{ port: 80 }] });
  const rule = (host: string) => [
    { host, paths: [{ path: '/', pathType: 'Prefix', backend: { service: 's', port: 80 } }] },
  ];
  m.ingress('a', 'ns', { className: 'edge', rules: rule('a.example') });
  m.ingress('b', 'ns', { className: undefined, rules: rule('b.example') });
  m.ingress('c', 'ns', { rules: rule('c.example') });
  m.ingressClass('edge', INGRESS_CONTROLLER, true);
  const hosts = (cls: string) =>
    gateway(m, { ingress: { className: cls, httpPort: 8080, httpsPort: 8443 } }).vhosts.map(
      (v) => v.domains[0],
    );
  t.same(
    hosts('edge'),
    ['a.example', 'b.example'],
    'edge: its own, and the class-less (edge is the default)',
  );
  t.same(hosts(OURS), ['c.example']);
});

function broken(): ModelBuilder {
  const m = new ModelBuilder();
  m.service('web', 'shop', {
    ports: [
      { name: 'http', port: 80 },
      { name: 'dns', port: 53, protocol: 'UDP' },
    ],
  });
  m.secret('good-tls', 'shop', SHOP_CERT);
  m.secret('opaque', 'shop', { ...SHOP_CERT, type: 'Opaque' });
  m.secret('no-key', 'shop', { crt: SHOP_CERT.crt });
  m.secret('not-pem', 'shop', { crt: 'hello', key: 'world' });
  m.secret('mismatch', 'shop', { crt: SHOP_CERT.crt, key: API_CERT.key });
  const to = (path: string, service: string, port: number | string, pathType = 'Prefix') => ({
    path,
    pathType,
    backend: { service, port },
  });
  m.ingress('bad', 'shop', {
    defaultBackend: { service: 'gone', port: 80 },
    rules: [
      {
        host: 'shop.example.com',
        paths: [
          to('/ok', 'web', 'http'),
          to('/no-service', 'missing', 80),
          to('/no-port', 'web', 81),
          to('/no-port-name', 'web', 'grpc'),
          to('/udp', 'web', 53),
          to('relative', 'web', 80),
          to('/query?x=1', 'web', 80),
          to('/odd', 'web', 80, 'Regex'),
          { path: '/resource' },
          to('/ok', 'web', 80),
        ],
      },
    ],
    tls: [
      { hosts: ['shop.example.com'], secretName: 'good-tls' },
      { hosts: ['a.example.com'], secretName: 'absent' },
      { hosts: ['b.example.com'], secretName: 'opaque' },
      { hosts: ['c.example.com'], secretName: 'no-key' },
      { hosts: ['d.example.com'], secretName: 'not-pem' },
      { hosts: ['e.example.com'], secretName: 'mismatch' },
      { hosts: ['f.example.com'] },
    ],
  });
  m.ingress('fine', 'shop', {
    rules: [{ host: 'fine.example.com', paths: [to('/', 'web', 80)] }],
    tls: [{ hosts: ['shop.example.com'], secretName: 'opaque' }],
  });
  return m;
}

t.test('bad Ingresses: one issue per problem, the rest served', async (t) => {
  const g = gateway(broken());
  const issues = g.issues.map((i) => `${i.name} ${i.value}: ${i.message}`);
  t.same(issues, [
    'shop/bad gone:80: spec.defaultBackend: backend Service shop/gone does not exist',
    'shop/bad missing:80: spec.rules[0].http.paths[1].backend: backend Service shop/missing does not exist',
    'shop/bad web:81: spec.rules[0].http.paths[2].backend: backend Service shop/web has no port 81 (its ports: 80 (http), 53 (dns))',
    'shop/bad web:grpc: spec.rules[0].http.paths[3].backend: backend Service shop/web has no port named "grpc" (its ports: 80 (http), 53 (dns))',
    'shop/bad web:53: spec.rules[0].http.paths[4].backend: backend Service shop/web port 53 is UDP; HTTP needs TCP',
    'shop/bad relative: spec.rules[0].http.paths[5].path: path "relative" must start with "/"',
    'shop/bad /query?x=1: spec.rules[0].http.paths[6].path: path "/query?x=1" must not contain "?", "#" or whitespace',
    'shop/bad /odd: spec.rules[0].http.paths[7].path: pathType "Regex" is not Exact, Prefix or ImplementationSpecific',
    'shop/bad : spec.rules[0].http.paths[8].backend: has no Service backend (resource backends are not supported)',
    'shop/bad /ok: spec.rules[0].http.paths[9].path: Prefix /ok on host shop.example.com is already routed by Ingress shop/bad; ignored here',
    'shop/bad absent: spec.tls[1].secretName: TLS Secret shop/absent does not exist',
    'shop/bad opaque: spec.tls[2].secretName: Secret shop/opaque is of type Opaque, not kubernetes.io/tls',
    'shop/bad no-key: spec.tls[3].secretName: Secret shop/no-key has no tls.key',
    'shop/bad not-pem: spec.tls[4].secretName: Secret shop/not-pem: tls.crt is not a PEM certificate',
    'shop/bad mismatch: spec.tls[5].secretName: Secret shop/mismatch: tls.key does not match tls.crt',
    'shop/bad : spec.tls[6]: names no secretName: its hosts get no certificate',
    'shop/fine opaque: spec.tls[0].secretName: Secret shop/opaque is of type Opaque, not kubernetes.io/tls',
  ]);
  t.same(g.routes('shop.example.com'), [
    ['shop/bad', { path_separated_prefix: '/ok' }, { cluster: '80|shop|web.outbound' }],
  ]);
  t.same(
    g.routes('fine.example.com'),
    [['shop/fine', { prefix: '/' }, { cluster: '80|shop|web.outbound' }]],
    'the other Ingress',
  );
  t.same(g.names(TYPE.secret), ['good-tls.shop'], 'only the usable certificate');
  const chains = g.get(TYPE.listener, 'ingress_https')?.filter_chains ?? [];
  t.same(
    chains.map(
      (c: { filter_chain_match?: { server_names?: string[] } }) =>
        c.filter_chain_match?.server_names,
    ),
    [['shop.example.com']],
  );
  t.ok(checkConsistent(g.snapshot).valid, 'what is served is consistent');
});

t.test(
  'conflicts: the first Ingress by namespace/name keeps a path, a TLS host, the default',
  async (t) => {
    const m = new ModelBuilder();
    m.service('one', 'a', { ports: [{ port: 80 }] });
    m.service('two', 'b', { ports: [{ port: 80 }] });
    m.secret('one-tls', 'a', SHOP_CERT);
    m.secret('two-tls', 'b', SHOP_CERT);
    const spec = (svc: string, secret: string) => ({
      defaultBackend: { service: svc, port: 80 },
      tls: [{ hosts: ['shop.example.com'], secretName: secret }],
      rules: [
        {
          host: 'shop.example.com',
          paths: [{ path: '/x', pathType: 'Exact', backend: { service: svc, port: 80 } }],
        },
      ],
    });
    m.ingress('second', 'b', spec('two', 'two-tls'));
    m.ingress('first', 'a', spec('one', 'one-tls'));
    m.ingress('only-default', 'b', { defaultBackend: { service: 'two', port: 80 } });
    const g = gateway(m);
    t.same(g.routes('shop.example.com'), [
      ['a/first', { path: '/x' }, { cluster: '80|a|one.outbound' }],
      ['a/first|default', { prefix: '/' }, { cluster: '80|a|one.outbound' }],
    ]);
    t.same(g.routes('*'), [['a/first|default', { prefix: '/' }, { cluster: '80|a|one.outbound' }]]);
    t.same(
      g.issues.map((i) => `${i.name} ${i.message}`),
      [
        'b/only-default spec.defaultBackend: the default backend of Ingress a/first already takes requests no rule matches; ignored here',
        'b/second spec.rules[0].http.paths[0].path: Exact /x on host shop.example.com is already routed by Ingress a/first; ignored here',
        'b/second spec.tls[0]: TLS host shop.example.com is already served with Secret one-tls.a of Ingress a/first; ignored here',
      ],
    );
    t.same(g.names(TYPE.secret), ['one-tls.a']);
    t.same(g.names(TYPE.cluster), ['80|a|one.outbound'], 'no cluster nobody routes to');
  },
);

t.test('a Secret not listed yet: left out quietly, not reported missing', async (t) => {
  const m = new ModelBuilder();
  m.service('web', 'shop', { ports: [{ port: 80 }] });
  m.ingress('web', 'shop', {
    tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
    rules: [
      {
        host: 'shop.example.com',
        paths: [{ path: '/', pathType: 'Prefix', backend: { service: 'web', port: 80 } }],
      },
    ],
  });
  m.secretsListed = new Set();
  let g = gateway(m);
  t.same(g.issues, []);
  t.same(g.names(TYPE.listener), ['ingress_http'], 'no HTTPS listener without a certificate');
  m.secretsListed.add('shop/shop-tls');
  g = gateway(m);
  t.match(g.issues, [
    { message: 'spec.tls[0].secretName: TLS Secret shop/shop-tls does not exist' },
  ]);
  m.secret('shop-tls', 'shop', SHOP_CERT);
  g = gateway(m);
  t.same(g.issues, []);
  t.same(g.names(TYPE.listener), ['ingress_http', 'ingress_https']);
});
