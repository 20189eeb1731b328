// Malformed label values, fuzzed and hand-picked: each yields an issue naming the label and the
// default is used, translation never throws, and another Service's resources stay
// byte-identical whatever is done to this one.
import t from 'tap';
import fc from 'fast-check';
import { Translator } from '../../control/translate/translator.js';
import { PUSH_ORDER } from '../../control/xds/types.js';
import { VOCABULARY } from '../../lib/labels/index.js';
import { ModelBuilder } from '../support/model.js';
import { validateResource } from '../validate/pgv.js';

const HAND_PICKED: Record<string, string[]> = {
  'traffic.port.9080': ['https', 'HTTP2', '', ' ', 'tcp,http', 'none'],
  'traffic.lb.policy': ['FASTEST', 'round robin', 'ORIGINAL_DST_LB', 'CLUSTER_PROVIDED', '0'],
  'traffic.hash.cookie.ttl': ['-1', '1.5', 'forever', '99999999999'],
  'traffic.hash.header.name': ['has space', 'a:b', ''],
  'traffic.fault.delay.time': ['3000000000000', '0', '-5', '3 s', 'soon', '1e3'],
  'traffic.fault.delay.percentage': ['101', '-1', '50%', 'NaN', 'Infinity'],
  'traffic.fault.abort.status': ['99', '600', '5xx', ''],
  'traffic.fault.abort.percentage': ['1000', '.5', 'half'],
  'traffic.rate.limit': ['0', '-100', 'fast', '1.5'],
  'traffic.tracing.enabled': ['yes', '1', 'on', 'TRUEISH'],
  'traffic.tracing.sampling': ['200', 'all'],
  'traffic.retries.5xx': ['11', '-1', 'many'],
  'traffic.request.timeout': ['0', '25h', 'never'],
  'traffic.connection.timeout': ['0ms', 'x'],
  'traffic.connection.max': ['0', '-1', 'lots'],
  'traffic.version.v2.weight': ['101', '-1', 'most', '50.5'],
  'traffic.no.such.label': ['x'],
};

function model(labels: Record<string, string>): ModelBuilder {
  const m = new ModelBuilder();
  m.service('reviews', 'default', {
    ip: '10.96.0.20',
    ports: [{ name: 'http', port: 9080 }],
    labels: { 'traffic.port.9080': 'http', ...labels },
  });
  m.service('ratings', 'default', {
    ip: '10.96.0.21',
    ports: [{ port: 9080 }],
    labels: { 'traffic.port.9080': 'http', 'traffic.retries.5xx': '2' },
  });
  m.pod('reviews-v2', 'default', { ip: '10.0.0.2', labels: { version: 'v2' } });
  m.pod('ratings-v1', 'default', { ip: '10.0.0.9' });
  m.endpoints('reviews', 'default', [{ pod: 'reviews-v2', ip: '10.0.0.2', port: 9080 }], 'http');
  m.endpoints('ratings', 'default', [{ pod: 'ratings-v1', ip: '10.0.0.9', port: 9080 }]);
  return m;
}

/** The encoded bytes of every resource that belongs to the ratings Service. */
function ratingsBytes(tr: Translator): string {
  const snap = tr.snapshotFor('caller.default');
  const parts: string[] = [];
  for (const url of PUSH_ORDER) {
    for (const r of snap.items(url).values()) {
      if (r.name.includes('ratings'))
        parts.push(`${r.name}=${Buffer.from(r.bytes).toString('base64')}`);
    }
  }
  return parts.join('\n');
}

const baseline = ratingsBytes(new Translator(model({})));

t.test(
  'hand-picked malformed values: an issue each, defaults used, others untouched',
  async (t) => {
    let count = 0;
    for (const [key, values] of Object.entries(HAND_PICKED)) {
      for (const value of values) {
        count++;
        const tr = new Translator(model({ [key]: value }));
        const issues = tr.issuesOf({ services: ['default/reviews'] }).issues;
        t.ok(
          issues.some(
            (i) =>
              i.key === key &&
              i.kind === 'Service' &&
              i.name === 'reviews' &&
              i.message.includes(key),
          ),
          `${key}=${JSON.stringify(value)}: ${issues[0]?.message ?? 'no issue'}`,
        );
        t.equal(
          ratingsBytes(tr),
          baseline,
          `${key}=${JSON.stringify(value)}: ratings byte-identical`,
        );
      }
    }
    t.ok(count >= 50, `${count} hand-picked malformed values`);
  },
);

t.test(
  'fuzzed values for every label: never a throw, valid resources, others untouched',
  async (t) => {
    const keys = VOCABULARY.filter((d) => d.appliesTo.includes('Service')).map((d) =>
      d.name.replace('<port>', '9080').replace('<version>', 'v2').replace('<header>', 'x-user'),
    );
    let issues = 0;
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...keys), fc.string({ maxLength: 40 }), { maxKeys: 6 }),
        (labels) => {
          const tr = new Translator(model(labels));
          const snap = tr.snapshotFor('caller.default');
          issues += tr.issuesOf({ services: ['default/reviews'] }).issues.length;
          const invalid = PUSH_ORDER.flatMap((url) =>
            [...snap.items(url).values()].flatMap((r) => validateResource(url, r.source)),
          );
          return invalid.length === 0 && ratingsBytes(tr) === baseline;
        },
      ),
      { numRuns: 300 },
    );
    t.comment(`300 fuzzed label sets produced ${issues} issues`);
    t.ok(issues > 50, 'the fuzzer did produce many invalid values');
  },
);
