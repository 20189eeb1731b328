// The vocabulary mechanism: key matching (with parameters), where a label applies, issues for
// bad values, and the README table kept in step with the declarations.
import t from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import {
  ENDPOINT_WEIGHT,
  LB_POLICY,
  VOCABULARY,
  extractTable,
  findLabel,
  parseTrafficLabels,
  renderLabelTable,
  valueOf,
} from '../../lib/labels/index.js';

t.test('every declared name is unique and matches itself once parameters are filled', async (t) => {
  const names = VOCABULARY.map((d) => d.name);
  t.equal(new Set(names).size, names.length, 'no duplicate declarations');
  for (const d of VOCABULARY) {
    const key = d.name
      .replace('<port>', '9080')
      .replace('<version>', 'v2')
      .replace('<header>', 'end-user');
    t.equal(findLabel(key)?.decl, d, `${key} finds its declaration`);
  }
});

t.test('parameterised keys capture and check their parameters', async (t) => {
  t.same(findLabel('traffic.port.9080')?.params, { port: '9080' });
  t.same(findLabel('traffic.version.v2-beta.weight')?.params, { version: 'v2-beta' });
  t.equal(findLabel('traffic.port.0'), undefined, 'port 0 is not a port');
  t.equal(findLabel('traffic.port.70000'), undefined, 'above 65535');
  t.equal(findLabel('traffic.port.http'), undefined);
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 65535 }), (port) => {
      return findLabel(`traffic.port.${port}`)?.params.port === String(port);
    }),
  );
});

t.test('parseTrafficLabels types valid values and reports every bad one', async (t) => {
  const parsed = parseTrafficLabels('Service', {
    app: 'reviews',
    'traffic.lb.policy': 'ring_hash',
    'traffic.port.9080': 'http',
    'traffic.port.9090': 'https',
    'traffic.fault.delay.time': 'soon',
    'traffic.envoy.enabled': 'true',
    'traffic.no.such': 'x',
  });
  t.equal(valueOf(parsed, LB_POLICY), 'RING_HASH');
  t.equal(parsed.labels.length, 2, 'lb policy and port 9080');
  const keys = parsed.issues.map((i) => i.key);
  t.same(keys, [
    'traffic.envoy.enabled',
    'traffic.fault.delay.time',
    'traffic.no.such',
    'traffic.port.9090',
  ]);
  const port = parsed.issues.find((i) => i.key === 'traffic.port.9090');
  t.match(port?.message, /invalid value "https" for traffic\.port\.9090/);
  t.match(port?.message, /http, grpc, tcp, direct/);
  t.match(
    parsed.issues[0]?.message,
    /applies to Pod, Deployment, StatefulSet, DaemonSet, not to a Service/,
  );
});

t.test('defaults apply when a label is absent or invalid', async (t) => {
  const none = parseTrafficLabels('Deployment', {});
  t.equal(valueOf(none, ENDPOINT_WEIGHT), 100);
  const bad = parseTrafficLabels('Deployment', { 'traffic.endpoint.weight': '129' });
  t.equal(valueOf(bad, ENDPOINT_WEIGHT), 100);
  t.equal(bad.issues.length, 1);
});

t.test('parsing arbitrary label maps never throws and partitions traffic.* keys', async (t) => {
  const key = fc.oneof(
    fc.constantFrom(
      ...VOCABULARY.map((d) => d.name.replace('<port>', '80').replace('<version>', 'v1')),
    ),
    fc.string({ maxLength: 40 }),
  );
  fc.assert(
    fc.property(fc.dictionary(key, fc.string({ maxLength: 80 })), (labels) => {
      const p = parseTrafficLabels('Pod', labels);
      const traffic = Object.keys(labels).filter((k) => k.startsWith('traffic.')).length;
      return p.labels.length + p.issues.length === traffic;
    }),
    { numRuns: 1000 },
  );
  t.pass('1000 random label maps');
});

t.test('the README label table is the one rendered from the vocabulary', async (t) => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  t.equal(extractTable(readme), renderLabelTable(), 'run: npm run labels:table');
});

t.test('annotation-borne values: free-form header values, lists, misplaced labels', async (t) => {
  const key = 'traffic.version.v2.header.authorization';
  const fromAnnotation = parseTrafficLabels('Service', {}, { [key]: 'Bearer tester-token' });
  t.same(
    fromAnnotation.labels.map((l) => [l.key, l.value, l.params]),
    [[key, 'Bearer tester-token', { version: 'v2', header: 'authorization' }]],
  );
  const both = parseTrafficLabels('Service', { [key]: 'label-wins' }, { [key]: 'ignored' });
  t.equal(
    both.labels[0]?.value,
    'label-wins',
    'the label wins over an annotation of the same name',
  );
  const egress = parseTrafficLabels(
    'Deployment',
    {},
    { 'traffic.egress.services': 'reviews.default, *.shop' },
  );
  t.same(egress.labels[0]?.value, ['*.shop', 'reviews.default']);
  const misplaced = parseTrafficLabels('Deployment', { 'traffic.egress.services': 'x' });
  t.match(misplaced.issues[0]?.message, /read from an annotation, not a label: kubectl annotate/);
  const other = parseTrafficLabels(
    'Pod',
    {},
    { 'traffic.envoy.proxy': 'abc123', 'traffic.lb.policy': 'x' },
  );
  t.same(
    other,
    { labels: [], issues: [] },
    'unknown and label-only keys in annotations are ignored',
  );
});
