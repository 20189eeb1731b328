// A rebuilt Service keeps the objects of its resources whose content did not change (so their
// encoding is reused), and the snapshot after a change is exactly what a fresh translation of the
// same model gives.
import t from 'tap';
import { Translator } from '../../control/translate/translator.js';
import { TYPE } from '../../control/xds/types.js';
import type { Snapshot } from '../../control/xds/snapshot.js';
import { ModelBuilder } from '../support/model.js';

function mesh(): ModelBuilder {
  const m = new ModelBuilder();
  let n = 0;
  for (const name of ['alpha', 'beta', 'gamma']) {
    const labels = {
      'traffic.port.9080': 'http',
      'traffic.version.v1.weight': '90',
      'traffic.version.v2.weight': '10',
    };
    m.service(name, 'default', {
      ip: `172.20.0.${++n}`,
      ports: [{ name: 'http', port: 9080 }],
      labels,
    });
    const eps = [];
    for (const v of ['v1', 'v2']) {
      const pod = `${name}-${v}`;
      const ip = `10.0.${n}.${v === 'v1' ? 1 : 2}`;
      m.pod(pod, 'default', { ip, labels: { app: name, version: v } });
      eps.push({ pod, ip, port: 9080 });
    }
    m.endpoints(name, 'default', eps, 'http');
  }
  m.pod('client', 'default', { ip: '10.0.9.9', labels: { app: 'client' } });
  return m;
}

function setWeights(m: ModelBuilder, name: string, v1: number): void {
  const key = `default/${name}`;
  const svc = m.services.get(key);
  if (!svc) throw new Error(`no ${key}`);
  const labels = {
    ...svc.labels,
    'traffic.version.v1.weight': String(v1),
    'traffic.version.v2.weight': String(100 - v1),
  };
  m.services.set(key, { ...svc, labels });
}

/** Per type: name → content hash. */
function hashes(s: Snapshot): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const url of Object.values(TYPE))
    out[url] = Object.fromEntries([...s.items(url)].map(([n, r]) => [n, r.hash]));
  return out;
}

const NODE = 'client.default';

t.test('a weight change reuses what it did not change', async (t) => {
  const m = mesh();
  const tr = new Translator(m);
  const before = tr.snapshotFor(NODE);
  setWeights(m, 'beta', 50);
  tr.invalidate({ services: ['default/beta'] });
  const after = tr.snapshotFor(NODE);

  const fresh = new Translator(m).snapshotFor(NODE);
  t.same(hashes(after), hashes(fresh), 'same resources as a fresh translation');
  t.not(hashes(after)[TYPE.route], hashes(before)[TYPE.route], 'the routes changed');

  for (const url of [TYPE.cluster, TYPE.endpoint]) {
    const a = after.items(url);
    for (const [name, r] of before.items(url))
      t.equal(a.get(name)?.source, r.source, `${name}: the same object`);
  }
  const [listener] = [...after.items(TYPE.listener).values()];
  const [old] = [...before.items(TYPE.listener).values()];
  t.equal(listener?.source, old?.source, 'the outbound listener object is reused');
  for (const url of [TYPE.cluster, TYPE.endpoint, TYPE.listener]) {
    t.equal(after.types.get(url), before.types.get(url), `${url}: the same map and version`);
  }
  t.not(after.items(TYPE.route), before.items(TYPE.route), 'routes: a new map');
  t.not(after.version(TYPE.route), before.version(TYPE.route), 'routes: a new version');
});

t.test('a change back and forth ends where it started', async (t) => {
  const m = mesh();
  const tr = new Translator(m);
  const first = hashes(tr.snapshotFor(NODE));
  for (const w of [10, 70, 90]) {
    setWeights(m, 'alpha', w);
    tr.invalidate({ services: ['default/alpha'] });
    tr.snapshotFor(NODE);
  }
  t.same(hashes(tr.snapshotFor(NODE)), first, 'weights back at 90/10: identical snapshot');
});
