import fc from 'fast-check';
import t from 'tap';
import { KubeError } from './errors.js';
import { resolveResource } from './registry.js';
import {
  escapeFieldValue,
  formatFieldSelector,
  parseFieldSelector,
  unescapeFieldValue,
  type FieldRequirement,
} from './selectors/fields.js';
import { compileFilter } from './selectors/filter.js';
import {
  formatLabelSelector,
  matchLabels,
  parseLabelSelector,
  SelectorError,
  type LabelRequirement,
} from './selectors/labels.js';

const pods = resolveResource('pods');
const configmaps = resolveResource('cm');

const nameChars = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split(''));
const midChars = fc.constantFrom(...'abcxyzABC0189-_.'.split(''));
const labelName = fc
  .tuple(nameChars, fc.string({ unit: midChars, maxLength: 10 }), nameChars)
  .map(([a, mid, b]) => `${a}${mid}${b}`);
const labelKey = fc.oneof(
  labelName,
  fc
    .tuple(fc.constantFrom('traffic.envoy', 'app.kubernetes.io', 'k8s.io'), labelName)
    .map(([p, n]) => `${p}/${n}`),
);
const labelValue = fc.oneof(fc.constant(''), labelName);
const numeric = fc.integer({ min: -50, max: 50 }).map(String);

const requirement: fc.Arbitrary<LabelRequirement> = fc.oneof(
  fc.record({
    key: labelKey,
    op: fc.constantFrom('eq' as const, 'neq' as const),
    values: fc.tuple(labelValue).map((v) => [...v]),
  }),
  fc.record({
    key: labelKey,
    op: fc.constantFrom('in' as const, 'notin' as const),
    values: fc.array(labelName, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    key: labelKey,
    op: fc.constantFrom('exists' as const, 'notexists' as const),
    values: fc.constant<string[]>([]),
  }),
  fc.record({
    key: labelKey,
    op: fc.constantFrom('gt' as const, 'lt' as const),
    values: fc.tuple(numeric).map((v) => [...v]),
  }),
);

function model(r: LabelRequirement, labels: Record<string, string>): boolean {
  const v = Object.prototype.hasOwnProperty.call(labels, r.key) ? labels[r.key] : undefined;
  if (r.op === 'eq') return v === r.values[0];
  if (r.op === 'neq') return v !== r.values[0];
  if (r.op === 'in') return v !== undefined && r.values.includes(v);
  if (r.op === 'notin') return v === undefined || !r.values.includes(v);
  if (r.op === 'exists') return v !== undefined;
  if (r.op === 'notexists') return v === undefined;
  if (v === undefined || !/^-?\d+$/.test(v)) return false;
  return r.op === 'gt' ? Number(v) > Number(r.values[0]) : Number(v) < Number(r.values[0]);
}

t.test('label selector grammar', async (t) => {
  t.same(parseLabelSelector('app=web'), [{ key: 'app', op: 'eq', values: ['web'] }]);
  t.same(parseLabelSelector('app==web'), [{ key: 'app', op: 'eq', values: ['web'] }]);
  t.same(parseLabelSelector('tier!=db, env in (a, b),!legacy,traffic.envoy/enabled'), [
    { key: 'tier', op: 'neq', values: ['db'] },
    { key: 'env', op: 'in', values: ['a', 'b'] },
    { key: 'legacy', op: 'notexists', values: [] },
    { key: 'traffic.envoy/enabled', op: 'exists', values: [] },
  ]);
  t.same(parseLabelSelector('x notin (1)'), [{ key: 'x', op: 'notin', values: ['1'] }]);
  t.same(parseLabelSelector(''), []);
  t.throws(() => parseLabelSelector('a in ()'), SelectorError);
  t.throws(() => parseLabelSelector('a=b c'), SelectorError);
  t.throws(() => parseLabelSelector('-bad=x'), SelectorError);
  t.throws(() => parseLabelSelector('a,,b'), SelectorError);
  t.throws(() => parseLabelSelector('n>abc'), SelectorError);
});

t.test('label matching: != and notin match absent keys, in and = do not', async (t) => {
  const labels = { app: 'web', version: 'v2' };
  t.ok(matchLabels(parseLabelSelector('app=web,version in (v1,v2)'), labels));
  t.notOk(matchLabels(parseLabelSelector('app=web,version notin (v2)'), labels));
  t.ok(matchLabels(parseLabelSelector('tier!=db'), labels));
  t.ok(matchLabels(parseLabelSelector('tier notin (db)'), labels));
  t.notOk(matchLabels(parseLabelSelector('tier in (db)'), labels));
  t.notOk(matchLabels(parseLabelSelector('tier'), labels));
  t.ok(matchLabels(parseLabelSelector('!tier'), labels));
});

t.test('property: format → parse round trips label selectors', async (t) => {
  fc.assert(
    fc.property(fc.array(requirement, { maxLength: 5 }), (reqs) => {
      t.same(parseLabelSelector(formatLabelSelector(reqs)), reqs);
    }),
    { numRuns: 300 },
  );
});

t.test('property: parsed selectors match like the reference model', async (t) => {
  const labels = fc.dictionary(labelKey, fc.oneof(labelValue, numeric), { maxKeys: 4 });
  fc.assert(
    fc.property(fc.array(requirement, { maxLength: 4 }), labels, (reqs, l) => {
      const parsed = parseLabelSelector(formatLabelSelector(reqs));
      return matchLabels(parsed, l) === reqs.every((r) => model(r, l));
    }),
    { numRuns: 500 },
  );
  t.pass('model agreed');
});

t.test('field selector grammar and escaping', async (t) => {
  t.same(parseFieldSelector('spec.nodeName=node-a,status.phase!=Failed'), [
    { field: 'spec.nodeName', op: 'eq', value: 'node-a' },
    { field: 'status.phase', op: 'neq', value: 'Failed' },
  ]);
  t.same(parseFieldSelector('metadata.name==x'), [
    { field: 'metadata.name', op: 'eq', value: 'x' },
  ]);
  t.same(parseFieldSelector('a=x\\,y\\=z'), [{ field: 'a', op: 'eq', value: 'x,y=z' }]);
  t.throws(() => parseFieldSelector('justaname'), SelectorError);
  t.throws(() => unescapeFieldValue('bad\\q'), SelectorError);
});

t.test('property: escaped field values round trip', async (t) => {
  const req: fc.Arbitrary<FieldRequirement> = fc.record({
    field: fc.constantFrom('metadata.name', 'spec.nodeName', 'status.podIP'),
    op: fc.constantFrom('eq' as const, 'neq' as const),
    value: fc.string({ maxLength: 12 }),
  });
  fc.assert(
    fc.property(fc.array(req, { minLength: 1, maxLength: 4 }), (reqs) => {
      t.same(parseFieldSelector(formatFieldSelector(reqs)), reqs);
    }),
  );
  fc.assert(fc.property(fc.string(), (s) => unescapeFieldValue(escapeFieldValue(s)) === s));
});

t.test('compileFilter: pods support their extra fields, other kinds only metadata.*', async (t) => {
  const pod = {
    metadata: { name: 'p', namespace: 'ns', labels: { app: 'web' } },
    spec: { nodeName: 'n1' },
    status: { phase: 'Running', podIPs: [{ ip: '10.0.0.5' }] },
  };
  t.ok(compileFilter(pods, { fieldSelector: 'spec.nodeName=n1,status.podIP=10.0.0.5' })(pod));
  t.ok(compileFilter(pods, { fieldSelector: 'spec.hostNetwork=false', labelSelector: 'app' })(pod));
  t.notOk(compileFilter(pods, { fieldSelector: 'spec.nodeName!=n1' })(pod));
  const bad = (fn: () => unknown): KubeError => {
    try {
      fn();
    } catch (err) {
      if (err instanceof KubeError) return err;
    }
    throw new Error('expected a KubeError');
  };
  const e1 = bad(() => compileFilter(pods, { fieldSelector: 'foo.bar=x' }));
  t.equal(e1.code, 400);
  t.equal(e1.reason, 'BadRequest');
  t.equal(e1.message, 'field label not supported: foo.bar');
  const e2 = bad(() => compileFilter(configmaps, { fieldSelector: 'foo.bar=x' }));
  t.equal(
    e2.message,
    '"foo.bar" is not a known field selector: only "metadata.name", "metadata.namespace"',
  );
  t.equal(bad(() => compileFilter(pods, { labelSelector: 'a in (' })).code, 400);
});
