// traffic.port.<port> on a pod (or its workload): callers reaching the pod IP:port directly are
// proxied as labelled, under the original's names, and the resources pass Envoy's rules.
import t from 'tap';
import { readableResource } from '../../control/admin/readable.js';
import { Translator } from '../../control/translate/translator.js';
import type { SnapshotInput } from '../../control/xds/snapshot.js';
import { PUSH_ORDER, TYPE } from '../../control/xds/types.js';
import { ModelBuilder } from '../support/model.js';
import type { R } from '../support/translate-fixture.js';
import { validateResource } from '../validate/pgv.js';
import { checkReferences } from '../validate/references.js';

function model(): ModelBuilder {
  const m = new ModelBuilder();
  m.pod('db-0', 'data', {
    ip: '10.0.0.7',
    workload: {
      kind: 'Deployment',
      name: 'db',
      labels: { 'traffic.port.5432': 'tcp', 'traffic.port.8080': 'tcp' },
    },
    labels: { 'traffic.port.8080': 'http' },
  });
  m.pod('plain', 'data', { ip: '10.0.0.8' });
  return m;
}

t.test('pod ports become pod IP:port chains; the pod label wins over its workload', async (t) => {
  const tr = new Translator(model());
  const snap = tr.snapshotFor('caller.default');
  const get = (type: string, name: string): R | undefined => {
    const r = snap.items(type as never).get(name);
    return r ? readableResource(type, r.bytes) : undefined;
  };
  const outbound = get(TYPE.listener, 'outbound');
  const chains = (outbound?.filter_chains ?? []) as R[];
  t.same(
    chains.map((c) => [
      c.filter_chain_match.prefix_ranges[0].address_prefix,
      c.filter_chain_match.destination_port,
      c.filters[0].name,
    ]),
    [
      ['10.0.0.7', 5432, 'envoy.filters.network.tcp_proxy'],
      ['10.0.0.7', 8080, 'envoy.filters.network.http_connection_manager'],
    ],
  );
  t.equal(
    chains[1]?.filters[0].typed_config.stat_prefix,
    '8080|db-0|data.static',
    'the original stat names',
  );
  t.equal(chains[0]?.filters[0].typed_config.cluster, '5432|10_0_0_7.static');
  const cla = get(TYPE.endpoint, '8080|10_0_0_7.static');
  t.equal(
    cla?.endpoints?.[0]?.lb_endpoints?.[0]?.endpoint?.address?.socket_address?.port_value,
    8080,
  );
  t.equal(
    get(TYPE.route, '8080|db-0|data.static')?.virtual_hosts?.[0]?.routes?.[0]?.route?.cluster,
    '8080|10_0_0_7.static',
  );
  const input: SnapshotInput = {};
  for (const url of PUSH_ORDER)
    input[url] = [...snap.items(url).values()].map((r) => ({ name: r.name, resource: r.source }));
  for (const [url, list] of Object.entries(input))
    for (const r of list ?? []) t.same(validateResource(url, r.resource), [], r.name);
  t.same(checkReferences(input), []);
});

t.test(
  'removing the label removes the chains; egress scope applies to pods by name.namespace',
  async (t) => {
    const m = model();
    const tr = new Translator(m);
    t.ok(tr.snapshotFor('caller.default').items(TYPE.cluster).has('5432|10_0_0_7.static'));
    const pod = m.pods.get('data/db-0');
    if (pod) m.pods.set('data/db-0', { ...pod, labels: {}, workloadLabels: {} });
    tr.invalidate({ pods: ['data/db-0'] });
    t.equal(tr.snapshotFor('caller.default').items(TYPE.cluster).size, 0, 'gone with the label');
    if (pod) m.pods.set('data/db-0', { ...pod, workloadLabels: {} });
    tr.invalidate({ pods: ['data/db-0'] });
    t.same(
      [...tr.snapshotFor('caller.default').items(TYPE.cluster).keys()],
      ['8080|10_0_0_7.static'],
      'the label back on the pod: its chain is back',
    );
    m.pods.delete('data/db-0');
    tr.invalidate({ pods: ['data/db-0'] });
    t.equal(tr.snapshotFor('caller.default').items(TYPE.cluster).size, 0, 'gone with the pod');
    m.pod('caller', 'default', {
      ip: '10.0.0.1',
      annotations: { 'traffic.egress.services': 'reviews.default' },
    });
    const m2 = model();
    m2.pod('caller', 'default', {
      ip: '10.0.0.1',
      annotations: { 'traffic.egress.services': 'reviews.default' },
    });
    t.equal(
      new Translator(m2).snapshotFor('caller.default').items(TYPE.cluster).size,
      0,
      'not in the egress list, not configured',
    );
  },
);
