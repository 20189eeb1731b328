// traffic-control keeps its model right when the API server misbehaves: a dropped watch, a 410
// Gone while objects changed in between, and a watch that fails with a 500 (client-node 1.4's
// ListWatch stops for good on that; ours restarts it with backoff).
import t from 'tap';
import { startTrafficControl } from '../support/mesh.js';
import { startFake, waitFor } from '../fake-kube/testing.js';

const svc = (name: string, label: string) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default', labels: { 'traffic.port.80': label } },
  spec: { ports: [{ port: 80 }], selector: { app: name } },
});

t.test('the model survives dropped watches, 410 Gone and failing watches', async (t) => {
  const h = await startFake(t, { historySize: 5 });
  h.fake.seed([svc('a', 'http'), svc('b', 'http')]);
  const { tc } = await startTrafficControl(t, h.kc);
  t.same([...tc.store.services.keys()].sort(), ['default/a', 'default/b']);

  h.fake.closeWatches();
  h.fake.seed(svc('c', 'tcp'));
  await waitFor('c after a dropped watch', () => tc.store.services.has('default/c'));

  h.fake.failNext('GET', /\/api\/v1\/services\?.*watch=true/, 500, { times: 2 });
  h.fake.closeWatches();
  h.fake.seed(svc('d', 'tcp'));
  await waitFor('d after failing watches', () => tc.store.services.has('default/d'), 20_000);
  const failed = h.fake.requests.filter((r) => r.status === 500 && r.path === '/api/v1/services');
  t.ok(failed.length >= 1, `the watch really failed (${failed.length} × 500)`);

  h.fake.expireWatches();
  h.fake.remove('services', 'a', 'default');
  for (let i = 0; i < 8; i++) h.fake.seed(svc('b', i % 2 === 0 ? 'tcp' : 'http')); // push a's deletion out of history
  await waitFor('a gone after 410 Gone', () => !tc.store.services.has('default/a'), 20_000);
  await waitFor(
    'b final state',
    () => tc.store.services.get('default/b')?.labels['traffic.port.80'] === 'http',
    20_000,
  );
  t.same(
    [...tc.store.services.keys()].sort(),
    ['default/b', 'default/c', 'default/d'],
    'same final state as the server',
  );
});
