// The PGV validator against Envoy's own rules: the fixtures are valid, each hand-made breakage
// is caught at the right path (and nothing else is), odd input is reported rather than thrown,
// and the cross-reference checks find dangling names across one proxy's resources.
import t from 'tap';
import { encodeResource } from '../../control/xds/encode.js';
import type { SnapshotInput } from '../../control/xds/snapshot.js';
import { TYPE, type TypeUrl } from '../../control/xds/types.js';
import { apiListener, splitInput, weightedRoute } from '../support/xds-fixtures.js';
import { tcpListener, validInput, validResources } from './fixtures.js';
import { MUTATIONS, applyMutation } from './mutations.js';
import { compilePattern, knownRegex } from './patterns.js';
import { envoyRuleStats, validateMessage, validateResource } from './pgv.js';
import { checkReferences } from './references.js';

t.test('rules read from the protos', async (t) => {
  const stats = envoyRuleStats();
  t.comment(
    `PGV rules in the loaded Envoy protos: ${stats.fields} fields carry (validate.rules) ` +
      `(${stats.rules} individual rules), plus ${stats.oneofs} required oneofs`,
  );
  t.ok(stats.fields > 300, 'hundreds of fields carry rules');
  t.same(stats.unchecked, {}, 'every rule the protos declare is enforced');
});

t.test('valid resources have no violations and encode', async (t) => {
  for (const [key, { url, resource }] of Object.entries(validResources())) {
    t.same(validateResource(url, resource), [], key);
    t.doesNotThrow(() => encodeResource(url as TypeUrl, key, resource), `${key} encodes`);
  }
});

t.test('each mutation is reported at its path, and only there', async (t) => {
  const kinds = new Set(MUTATIONS.map((m) => m.kind));
  t.ok(kinds.size >= 15, `${kinds.size} distinct rule kinds`);
  let encodable = 0;
  for (const mut of MUTATIONS) {
    const base = validResources()[mut.resource];
    if (!base) throw new Error(`no fixture ${mut.resource}`);
    const broken = structuredClone(base.resource);
    applyMutation(broken, mut.set, mut.value);
    const found = validateResource(base.url, broken);
    const hit = found.some((v) => v.startsWith(`${mut.path}: `) && v.includes(mut.expect));
    t.ok(hit && found.length === 1, `${mut.kind}: ${mut.path}`, { found, want: mut.expect });
    try {
      encodeResource(base.url as TypeUrl, 'mutated', broken);
      encodable++;
    } catch {
      // the encoder's own unknown-field check caught this one
    }
  }
  t.comment(`${encodable}/${MUTATIONS.length} broken resources still encode with protobufjs`);
});

t.test('odd input is reported, never thrown, and results are deterministic', async (t) => {
  const cyclic: Record<string, unknown> = { name: 'c', connect_timeout: { seconds: 1 } };
  cyclic.metadata = { filter_metadata: { x: cyclic } };
  const throwing = Object.defineProperty({}, 'name', {
    enumerable: true,
    get: () => {
      throw new Error('boom');
    },
  });
  const odd: [string, unknown][] = [
    ['null', null],
    ['array', [1, 2]],
    ['number for message', { connect_timeout: 5 }],
    ['list for scalar', { name: ['a'] }],
    ['object for list', { health_checks: {} }],
    ['null list item', { health_checks: [null] }],
    ['bigint', { per_connection_buffer_limit_bytes: { value: 10n } }],
    ['cycle', cyclic],
    ['throwing getter', throwing],
  ];
  for (const [label, value] of odd) {
    const run = (): string[] => validateResource(TYPE.cluster, value as object);
    t.doesNotThrow(run, label);
    t.ok(run().length > 0, `${label} is reported`);
    t.same(run(), run(), `${label} is deterministic`);
  }
  t.match(validateMessage('no.such.Type', {}), [/unknown message type/]);
  t.same(validateMessage('envoy.config.cluster.v3.Cluster', { name: 'x' }), []);
  t.same(validateMessage(TYPE.cluster, { name: 'x' }), [], 'a type URL works too');
});

t.test('pattern and header helpers', async (t) => {
  t.ok(compilePattern('(?i)^abc$')?.test('ABC'), 'inline flags');
  t.ok(compilePattern('^(?P<x>a+)\\z')?.test('aa'), 'named groups and \\z');
  t.equal(knownRegex('x-ok', 'HTTP_HEADER_NAME', true), null);
  t.type(knownRegex('bad name', 'HTTP_HEADER_NAME', true), 'string', 'space is not a token');
  t.equal(knownRegex('bad name', 'HTTP_HEADER_NAME', false), null, 'strict: false allows it');
  t.equal(knownRegex('tab\there', 'HTTP_HEADER_VALUE', true), null, 'HTAB is a value char');
});

function resourceOf(input: SnapshotInput, url: TypeUrl, name: string): object {
  const found = input[url]?.find((e) => e.name === name);
  if (!found) throw new Error(`no ${url} ${name}`);
  return found.resource;
}

const REF_CASES: [string, (input: SnapshotInput) => void, string][] = [
  [
    'route names a missing cluster',
    (i) =>
      applyMutation(
        resourceOf(i, TYPE.route, 'route'),
        'virtual_hosts.0.routes.0.route.cluster',
        'nope',
      ),
    'route "route": virtual_hosts[0].routes[0].route.cluster: Cluster "nope" does not exist',
  ],
  [
    'listener names a missing route config',
    (i) => (i[TYPE.listener] = [{ name: 'svc', resource: apiListener('svc', 'missing') }]),
    'listener "svc": api_listener.api_listener.rds.route_config_name: RouteConfiguration "missing" does not exist',
  ],
  [
    'weights sum to zero',
    (i) => {
      const route = weightedRoute('route', 'svc', { cluster_a: 0, cluster_b: 0 });
      i[TYPE.route] = [{ name: 'route', resource: route }];
    },
    'route "route": virtual_hosts[0].routes[0].route.weighted_clusters: weights sum to 0',
  ],
  [
    'weighted cluster without a name',
    (i) => {
      const route = weightedRoute('route', 'svc', { '': 1, cluster_b: 1 });
      i[TYPE.route] = [{ name: 'route', resource: route }];
    },
    'route "route": virtual_hosts[0].routes[0].route.weighted_clusters.clusters[0].name: weighted cluster has no name',
  ],
  [
    'mirror to a missing cluster',
    (i) =>
      applyMutation(
        resourceOf(i, TYPE.route, 'route'),
        'virtual_hosts.0.routes.0.route.request_mirror_policies',
        [{ cluster: 'gone' }],
      ),
    'route "route": virtual_hosts[0].routes[0].route.request_mirror_policies[0].cluster: Cluster "gone" does not exist',
  ],
  [
    'tcp_proxy to a missing cluster',
    (i) =>
      applyMutation(
        resourceOf(i, TYPE.listener, 'tcp_in'),
        'filter_chains.1.filters.0.typed_config.weighted_clusters.clusters.1.name',
        'gone',
      ),
    'listener "tcp_in": filter_chains[1].filters[0].typed_config.weighted_clusters.clusters[1].name: Cluster "gone" does not exist',
  ],
  [
    'EDS cluster without endpoints',
    (i) => (i[TYPE.endpoint] = i[TYPE.endpoint]?.filter((e) => e.name !== 'cluster_b')),
    'cluster "cluster_b": eds_cluster_config: EDS cluster has no ClusterLoadAssignment "cluster_b"',
  ],
  [
    'duplicate filter chain match',
    (i) =>
      applyMutation(resourceOf(i, TYPE.listener, 'tcp_in'), 'filter_chains.1.filter_chain_match', {
        destination_port: { value: 9000 },
      }),
    'listener "tcp_in": filter_chains[1].filter_chain_match: same match as filter_chains[0]',
  ],
  [
    'entry name differs from the resource',
    (i) =>
      (i[TYPE.listener] = [
        ...(i[TYPE.listener] ?? []),
        { name: 'other', resource: tcpListener('x') },
      ]),
    'listener "other": name: resource calls itself x',
  ],
];

t.test('cross-reference checks', async (t) => {
  t.same(checkReferences(validInput()), [], 'the valid input is consistent');
  t.same(checkReferences(splitInput('svc', { a: 1, b: 2 }, { a: 1, b: 3 })), [], 'splitInput too');
  for (const [label, edit, expected] of REF_CASES) {
    const input = validInput();
    edit(input);
    const found = checkReferences(input);
    t.ok(
      found.some((v) => v.startsWith(expected)),
      label,
      { found, expected },
    );
  }
  t.doesNotThrow(() => checkReferences(null as unknown as SnapshotInput), 'odd input');
});
