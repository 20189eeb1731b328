// Watch streams over raw HTTP: resourceVersion semantics, 410, bookmarks, timeouts, selectors,
// Table wrapping and the /watch/ path form.
import { request, type IncomingMessage } from 'node:http';
import t from 'tap';
import { startFake, waitFor } from './testing.js';

async function openWatch(base: string, path: string, headers: Record<string, string> = {}) {
  const lines: string[] = [];
  let close = (): void => undefined;
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(`${base}${path}`, { headers }, resolve);
    close = () => req.destroy();
    req.on('error', reject);
    req.end();
  });
  const headersAt = Date.now();
  let buf = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) !== -1) {
      lines.push(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
  const ended = new Promise<void>((r) => res.on('close', () => r()));
  return { headersAt, ended, close, events: () => lines.map((l) => JSON.parse(l)) };
}

const cm = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
});

t.test('watch semantics', async (t) => {
  const { fake } = await startFake(t, {
    controllers: false,
    historySize: 50,
    bookmarkIntervalMs: 50,
  });
  const path = '/api/v1/namespaces/default/configmaps';
  fake.seed([{ ...cm('one'), metadata: { name: 'one', namespace: 'default' } }]);

  await t.test('headers arrive at once and RV 0 starts with the current state', async (t) => {
    const started = Date.now();
    const w = await openWatch(fake.url, `${path}?watch=true&resourceVersion=0`);
    t.ok(w.headersAt - started < 1000, 'headers flushed without any event');
    await waitFor('initial ADDED', () => w.events().length === 1);
    t.equal(w.events()[0].type, 'ADDED');
    t.equal(w.events()[0].object.metadata.name, 'one');
    t.equal(w.events()[0].object.kind, 'ConfigMap');
    w.close();
  });

  await t.test('RV N replays what happened after N, then live events', async (t) => {
    const rv = fake.resourceVersion;
    fake.seed({ ...cm('two'), metadata: { name: 'two', namespace: 'default' } });
    fake.remove('cm', 'one');
    const w = await openWatch(fake.url, `${path}?watch=1&resourceVersion=${rv}`);
    await waitFor('replay', () => w.events().length === 2);
    t.same(
      w.events().map((e) => `${e.type} ${e.object.metadata.name}`),
      ['ADDED two', 'DELETED one'],
    );
    t.equal(w.events()[1].object.metadata.resourceVersion, fake.resourceVersion);
    fake.seed({ ...cm('three'), metadata: { name: 'three', namespace: 'default' } });
    await waitFor('live', () => w.events().length === 3);
    t.equal(w.events()[2].type, 'ADDED');
    t.equal(fake.openWatches, 1);
    fake.closeWatches();
    await w.ended;
    t.equal(fake.openWatches, 0);
  });

  await t.test('a resourceVersion older than the history gets one ERROR 410', async (t) => {
    const old = fake.resourceVersion;
    for (let i = 0; i < 60; i++)
      fake.seed({ ...cm(`n${i}`), metadata: { name: `n${i}`, namespace: 'default' } });
    const w = await openWatch(fake.url, `${path}?watch=true&resourceVersion=${old}`);
    await w.ended;
    t.equal(w.events().length, 1);
    t.equal(w.events()[0].type, 'ERROR');
    t.equal(w.events()[0].object.code, 410);
    t.equal(w.events()[0].object.reason, 'Expired');
    t.match(w.events()[0].object.message, /^too old resource version: \d+ \(\d+\)$/);
  });

  await t.test('expireWatches sends 410 and closes', async (t) => {
    const w = await openWatch(
      fake.url,
      `${path}?watch=true&resourceVersion=${fake.resourceVersion}`,
    );
    await waitFor('registered', () => fake.openWatches === 1);
    fake.expireWatches();
    await w.ended;
    t.same(
      w.events().map((e) => `${e.type} ${e.object.code}`),
      ['ERROR 410'],
    );
  });

  await t.test('bookmarks only when allowed, periodically and on demand', async (t) => {
    const plain = await openWatch(
      fake.url,
      `${path}?watch=true&resourceVersion=${fake.resourceVersion}`,
    );
    const marked = await openWatch(
      fake.url,
      `${path}?watch=true&resourceVersion=${fake.resourceVersion}&allowWatchBookmarks=true`,
    );
    await waitFor('periodic bookmark', () => marked.events().some((e) => e.type === 'BOOKMARK'));
    const bm = marked.events().find((e) => e.type === 'BOOKMARK');
    t.same(bm.object, {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { resourceVersion: fake.resourceVersion },
    });
    fake.sendBookmarks();
    await new Promise((r) => setTimeout(r, 100));
    t.same(plain.events(), [], 'no bookmarks unless asked');
    plain.close();
    marked.close();
  });

  await t.test('timeoutSeconds ends the stream', async (t) => {
    const started = Date.now();
    const w = await openWatch(
      fake.url,
      `${path}?watch=true&timeoutSeconds=1&resourceVersion=${fake.resourceVersion}`,
    );
    await w.ended;
    t.ok(Date.now() - started >= 900);
  });

  await t.test('selector-relative events: starts matching → ADDED, stops → DELETED', async (t) => {
    fake.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'sel', namespace: 'default', labels: { on: 'no' } },
    });
    const w = await openWatch(
      fake.url,
      `${path}?watch=true&labelSelector=on%3Dyes&resourceVersion=${fake.resourceVersion}`,
    );
    fake.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'sel', namespace: 'default', labels: { on: 'yes' } },
      data: { v: '1' },
    });
    fake.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'sel', namespace: 'default', labels: { on: 'yes' } },
      data: { v: '2' },
    });
    fake.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'sel', namespace: 'default', labels: { on: 'no' } },
    });
    await waitFor('three events', () => w.events().length === 3);
    t.same(
      w.events().map((e) => e.type),
      ['ADDED', 'MODIFIED', 'DELETED'],
    );
    t.equal(
      w.events()[2].object.metadata.labels.on,
      'yes',
      'DELETED carries the last matching state',
    );
    t.equal(
      w.events()[2].object.metadata.resourceVersion,
      fake.resourceVersion,
      '…with the event resourceVersion',
    );
    w.close();
  });

  await t.test('Table watch and the /watch/ path form', async (t) => {
    const w = await openWatch(
      fake.url,
      `/api/v1/watch/namespaces/default/configmaps/sel?resourceVersion=${fake.resourceVersion}`,
      { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
    );
    fake.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'other', namespace: 'default' },
    });
    fake.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'sel', namespace: 'default' },
      data: { a: '1' },
    });
    fake.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'sel', namespace: 'default' },
      data: { a: '1', b: '2' },
    });
    await waitFor('two events', () => w.events().length === 2);
    t.same(
      w.events().map((e) => e.object.kind),
      ['Table', 'Table'],
    );
    t.same(w.events()[0].object.rows[0].cells.slice(0, 2), ['sel', 1]);
    t.equal(w.events()[0].object.columnDefinitions.length, 3, 'headers on the first event');
    t.same(w.events()[1].object.columnDefinitions, [], 'not repeated');
    w.close();
  });
});
