// Every resource the translator produces, across the label vocabulary, passes the validator that
// reads Envoy's own protoc-gen-validate rules, and every cross-reference resolves: the nearest
// thing to `envoy --mode validate` available here.
import t from 'tap';
import { Translator } from '../../control/translate/translator.js';
import type { SnapshotInput } from '../../control/xds/snapshot.js';
import { PUSH_ORDER } from '../../control/xds/types.js';
import { ModelBuilder } from '../support/model.js';
import { validateResource } from '../validate/pgv.js';
import { checkReferences } from '../validate/references.js';

const LABEL_SETS: Record<string, Record<string, string>> = {
  plain: { 'traffic.port.9080': 'http' },
  everything: {
    'traffic.port.9080': 'http',
    'traffic.lb.policy': 'RING_HASH',
    'traffic.hash.cookie.name': 'session',
    'traffic.hash.cookie.ttl': '3600',
    'traffic.hash.header.name': 'x-user',
    'traffic.version.v1.weight': '75',
    'traffic.version.v2.weight': '25',
    'traffic.version.v2.header.end-user': 'jason',
    'traffic.fault.delay.time': '3000',
    'traffic.fault.delay.percentage': '0.5',
    'traffic.fault.abort.status': '505',
    'traffic.fault.abort.percentage': '10',
    'traffic.rate.limit': '1024',
    'traffic.tracing.enabled': 'true',
    'traffic.tracing.sampling': '12.5',
    'traffic.retries.5xx': '3',
    'traffic.retries.connect-failure': '2',
    'traffic.retries.gateway-error': '1',
    'traffic.retries.max': '10',
    'traffic.request.timeout': '2500',
    'traffic.connection.timeout': '750',
    'traffic.connection.max': '100',
    'traffic.request.max-pending': '10',
    'traffic.request.max': '50',
  },
  grpc: { 'traffic.port.9080': 'grpc', 'traffic.retries.5xx': '2', 'traffic.lb.policy': 'maglev' },
  tcp: {
    'traffic.port.9080': 'tcp',
    'traffic.version.v1.weight': '1',
    'traffic.version.v2.weight': '1',
  },
  direct: { 'traffic.port.9080': 'direct' },
  leastRequest: { 'traffic.port.9080': 'http', 'traffic.lb.policy': 'LEAST_REQUEST' },
};

function model(labels: Record<string, string>, headless: boolean): ModelBuilder {
  const m = new ModelBuilder();
  m.service('reviews', 'default', {
    ip: '10.96.0.20',
    headless,
    ports: [{ name: 'http', port: 9080 }],
    labels,
  });
  m.service('other', 'shop', {
    ip: 'fd00::20',
    ports: [{ port: 80 }],
    labels: { 'traffic.port.80': 'http' },
  });
  for (const [i, v] of ['v1', 'v2'].entries())
    m.pod(`reviews-${v}`, 'default', { ip: `10.0.0.${i + 1}`, labels: { version: v } });
  m.pod('caller', 'default', { ip: 'fd00::5' });
  m.endpoints(
    'reviews',
    'default',
    [
      { pod: 'reviews-v1', ip: '10.0.0.1', port: 9080 },
      { pod: 'reviews-v2', ip: '10.0.0.2', port: 9080 },
    ],
    'http',
  );
  return m;
}

function inputOf(tr: Translator, nodeId: string): SnapshotInput {
  const snap = tr.snapshotFor(nodeId);
  const out: SnapshotInput = {};
  for (const url of PUSH_ORDER)
    out[url] = [...snap.items(url).values()].map((r) => ({ name: r.name, resource: r.source }));
  return out;
}

for (const [name, labels] of Object.entries(LABEL_SETS)) {
  for (const headless of [false, true]) {
    t.test(
      `${name}${headless ? ' (headless)' : ''}: valid by Envoy's rules, references resolve`,
      async (t) => {
        const tr = new Translator(model(labels, headless), {
          zipkin: { host: 'zipkin.traffic-system.svc.cluster.local', port: 9411 },
        });
        t.same(tr.issues(), [], 'the labels themselves are valid');
        const input = inputOf(tr, 'caller.default');
        let count = 0;
        for (const [url, list] of Object.entries(input)) {
          for (const r of list ?? []) {
            count++;
            t.same(validateResource(url, r.resource), [], `${r.name}`);
          }
        }
        t.same(checkReferences(input), [], 'cross-references');
        t.ok(count >= 5, `${count} resources checked`);
      },
    );
  }
}
