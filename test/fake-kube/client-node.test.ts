// @kubernetes/client-node 1.4.0 against the fake: informers, patches, conflicts and watches.
import * as k8s from '@kubernetes/client-node';
import t from 'tap';
import { startFake, waitFor, type Harness } from './testing.js';

const cm = (name: string, data: Record<string, string> = {}): k8s.V1ConfigMap => ({
  metadata: { name },
  data,
});

function names(objs: readonly k8s.KubernetesObject[]): string[] {
  return objs.map((o) => o.metadata?.name ?? '').sort();
}

interface Recorder {
  events: string[];
  errors: unknown[];
}

function record<T extends k8s.KubernetesObject>(inf: k8s.Informer<T>): Recorder {
  const r: Recorder = { events: [], errors: [] };
  inf.on('add', (o) => r.events.push(`add ${o.metadata?.name}`));
  inf.on('update', (o) => r.events.push(`update ${o.metadata?.name}`));
  inf.on('delete', (o) => r.events.push(`delete ${o.metadata?.name}`));
  inf.on('error', (e) => r.errors.push(e));
  return r;
}

async function configMapInformer(
  t: Tap,
  h: Harness,
  namespace = 'default',
): Promise<{ inf: k8s.ListWatch<k8s.V1ConfigMap>; rec: Recorder }> {
  const core = h.kc.makeApiClient(k8s.CoreV1Api);
  // What makeInformer builds, typed as the ListWatch it is (for latestResourceVersion()).
  const inf = new k8s.ListWatch(
    `/api/v1/namespaces/${namespace}/configmaps`,
    new k8s.Watch(h.kc),
    () => core.listNamespacedConfigMap({ namespace }),
    false,
  );
  const rec = record(inf);
  t.teardown(() => inf.stop());
  await inf.start();
  return { inf, rec };
}

type Tap = { teardown(fn: () => unknown): void };

t.test('informer sees add, update and delete', async (t) => {
  const h = await startFake(t);
  const core = h.kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespacedConfigMap({ namespace: 'default', body: cm('before') });
  const { inf, rec } = await configMapInformer(t, h);
  t.same(names(inf.list()), ['before'], 'initial list');
  await core.createNamespacedConfigMap({ namespace: 'default', body: cm('a', { v: '1' }) });
  await waitFor('add a', () => rec.events.includes('add a'));
  await core.patchNamespacedConfigMap(
    { namespace: 'default', name: 'a', body: { data: { v: '2' } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  await waitFor('update a', () => rec.events.includes('update a'));
  t.equal(inf.get('a', 'default')?.data?.v, '2');
  await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'a' });
  await waitFor('delete a', () => rec.events.includes('delete a'));
  t.same(rec.events, ['add before', 'add a', 'update a', 'delete a']);
  t.equal(
    inf.latestResourceVersion(),
    h.fake.resourceVersion,
    'informer is at the latest resourceVersion',
  );
  t.same(rec.errors, []);
});

t.test('informer reconnects after a clean watch close without re-listing', async (t) => {
  const h = await startFake(t);
  const core = h.kc.makeApiClient(k8s.CoreV1Api);
  const { inf, rec } = await configMapInformer(t, h);
  const lists = (): number =>
    h.fake.requests.filter(
      (r) =>
        r.method === 'GET' &&
        r.path === '/api/v1/namespaces/default/configmaps' &&
        !r.query.has('watch'),
    ).length;
  const watches = (): number =>
    h.fake.requests.filter((r) => r.query.get('watch') === 'true').length;
  const listsBefore = lists();
  const watchesBefore = watches();
  h.fake.closeWatches();
  await waitFor('a new watch', () => watches() > watchesBefore && h.fake.openWatches === 1);
  await core.createNamespacedConfigMap({ namespace: 'default', body: cm('after-drop') });
  await waitFor('add after-drop', () => rec.events.includes('add after-drop'));
  t.equal(lists(), listsBefore, 'no re-list after a clean close');
  const rewatch = h.fake.requests.filter((r) => r.query.get('watch') === 'true').at(-1);
  t.not(rewatch?.query.get('resourceVersion'), '', 'resumed from its resourceVersion');
  t.same(names(inf.list()), ['after-drop']);
});

t.test(
  'expireWatches: 410 makes the informer re-list and drop what was deleted meanwhile',
  async (t) => {
    const h = await startFake(t);
    h.fake.seed(
      ['a', 'b', 'c'].map((n) => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: n, namespace: 'default' },
      })),
    );
    const { inf, rec } = await configMapInformer(t, h);
    t.same(names(inf.list()), ['a', 'b', 'c']);
    h.fake.expireWatches();
    // Same tick: the expired watch is already closed, so only the re-list can reveal these.
    h.fake.remove('cm', 'a');
    h.fake.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'd', namespace: 'default' },
    });
    await waitFor(
      'the re-list',
      () => rec.events.includes('delete a') && rec.events.includes('add d'),
    );
    t.same(
      names(inf.list()),
      names(h.fake.list('cm', { namespace: 'default' })),
      'cache equals server state',
    );
    await waitFor('the watch to reopen', () => h.fake.openWatches === 1);
  },
);

t.test(
  'a watch from a compacted resourceVersion gets 410; a restarted informer recovers',
  async (t) => {
    const h = await startFake(t, { historySize: 5 });
    const core = h.kc.makeApiClient(k8s.CoreV1Api);
    h.fake.seed(
      ['keep', 'drop'].map((n) => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: n, namespace: 'default' },
      })),
    );
    const { inf, rec } = await configMapInformer(t, h);
    // Drop the watch and fail the reconnect: ListWatch reports the error and stops.
    h.fake.failNext('GET', /\/configmaps\?.*watch=true/, 500);
    h.fake.closeWatches();
    await waitFor('the informer to stop with an error', () => rec.errors.length === 1);
    t.equal((rec.errors[0] as { statusCode?: number }).statusCode, 500);
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'drop' });
    for (let i = 0; i < 8; i++)
      await core.createNamespacedConfigMap({ namespace: 'default', body: cm(`new-${i}`) });
    t.same(names(inf.list()), ['drop', 'keep'], 'stale while stopped');
    await inf.start();
    await waitFor(
      'the re-list after 410',
      () => rec.events.includes('delete drop') && inf.list().length === 9,
    );
    const expired = h.fake.requests.filter((r) => r.query.get('watch') === 'true').at(-2);
    t.ok(expired, 'a watch was attempted from the old resourceVersion');
    t.same(
      names(inf.list()),
      names(h.fake.list('cm', { namespace: 'default' })),
      'cache equals server state',
    );
  },
);

t.test('patch semantics through client-node', async (t) => {
  const h = await startFake(t);
  const core = h.kc.makeApiClient(k8s.CoreV1Api);
  const created = await core.createNamespacedConfigMap({
    namespace: 'default',
    body: cm('p', { a: '1' }),
  });
  const staleRv = created.metadata?.resourceVersion;
  await core.patchNamespacedConfigMap(
    { namespace: 'default', name: 'p', body: { data: { a: '2' } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );

  const conflict = await core
    .patchNamespacedConfigMap(
      {
        namespace: 'default',
        name: 'p',
        body: { metadata: { resourceVersion: staleRv }, data: { a: '3' } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    )
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  t.ok(conflict instanceof k8s.ApiException);
  const ce = conflict as k8s.ApiException<string>;
  t.equal(ce.code, 409);
  const status = JSON.parse(ce.body);
  t.equal(status.reason, 'Conflict');
  t.equal(
    status.message,
    'Operation cannot be fulfilled on configmaps "p": the object has been modified; please apply your changes to the latest version and try again',
  );
  t.equal(
    h.fake.get('cm', 'p')?.data && (h.fake.get('cm', 'p')?.data as Record<string, string>).a,
    '2',
    'the stale patch did not apply',
  );

  const failing = await core
    .patchNamespacedConfigMap({
      namespace: 'default',
      name: 'p',
      body: [{ op: 'add', path: '/metadata/annotations/envoy.io~1ready', value: 'true' }],
    })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  t.equal((failing as k8s.ApiException<string>).code, 422, 'JSON patch under a missing map is 422');
  t.equal(JSON.parse((failing as k8s.ApiException<string>).body).reason, 'Invalid');

  const patched = await core.patchNamespacedConfigMap({
    namespace: 'default',
    name: 'p',
    body: [
      { op: 'add', path: '/metadata/annotations', value: {} },
      { op: 'add', path: '/metadata/annotations/envoy.io~1ready', value: 'true' },
    ],
  });
  t.equal(
    patched.metadata?.annotations?.['envoy.io/ready'],
    'true',
    'JSON patch is the default content type',
  );

  const undecodable = await core
    .patchNamespacedConfigMap({ namespace: 'default', name: 'p', body: { not: 'an array' } })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  t.equal((undecodable as k8s.ApiException<string>).code, 400);

  const apps = h.kc.makeApiClient(k8s.AppsV1Api);
  const deployment: k8s.V1Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'ssa', namespace: 'default', labels: { a: 'b' } },
    spec: {
      selector: { matchLabels: { app: 'ssa' } },
      template: {
        metadata: { labels: { app: 'ssa' } },
        spec: { containers: [{ name: 'c', image: 'i' }] },
      },
    },
  };
  const applied = await apps.patchNamespacedDeployment(
    { name: 'ssa', namespace: 'default', fieldManager: 'agent', force: true, body: deployment },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply),
  );
  t.equal(applied.metadata?.labels?.a, 'b', 'apply creates a missing object');
  t.equal(h.fake.requests.at(-1)?.status, 201);
  const noManager = await apps
    .patchNamespacedDeployment(
      { name: 'ssa', namespace: 'default', body: deployment },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply),
    )
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  t.equal((noManager as k8s.ApiException<string>).code, 400, 'apply needs a fieldManager');

  const generic = k8s.KubernetesObjectApi.makeApiClient(h.kc);
  const viaGeneric = await generic.patch(
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'ssa', namespace: 'default', annotations: { x: 'y' } },
    },
    undefined,
    undefined,
    'agent',
    true,
    k8s.PatchStrategy.ServerSideApply,
  );
  t.equal(viaGeneric.metadata?.annotations?.x, 'y', 'KubernetesObjectApi discovery + apply work');
});

t.test(
  'selector-relative watch: a pod moving onto the node arrives as add, leaving as delete',
  async (t) => {
    const h = await startFake(t, { controllers: false });
    const core = h.kc.makeApiClient(k8s.CoreV1Api);
    const selector = 'spec.nodeName=node-a';
    const lw = new k8s.ListWatch<k8s.V1Pod>(
      '/api/v1/pods',
      new k8s.Watch(h.kc),
      () => core.listPodForAllNamespaces({ fieldSelector: selector }),
      false,
      undefined,
      selector,
    );
    const rec = record(lw);
    t.teardown(() => lw.stop());
    const pod = (name: string, node?: string): k8s.V1Pod => ({
      metadata: { name },
      spec: { nodeName: node, containers: [{ name: 'c', image: 'i' }] },
    });
    await core.createNamespacedPod({ namespace: 'default', body: pod('here', 'node-a') });
    await core.createNamespacedPod({ namespace: 'default', body: pod('elsewhere', 'node-b') });
    await lw.start();
    t.same(names(lw.list()), ['here']);
    await core.createNamespacedPod({ namespace: 'default', body: pod('unscheduled') });
    await core.patchNamespacedPod(
      { namespace: 'default', name: 'unscheduled', body: { spec: { nodeName: 'node-a' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await waitFor('the moved pod', () => rec.events.includes('add unscheduled'));
    await core.patchNamespacedPod(
      { namespace: 'default', name: 'here', body: { spec: { nodeName: 'node-b' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
    );
    await waitFor('the departed pod', () => rec.events.includes('delete here'));
    t.same(rec.events, ['add here', 'add unscheduled', 'delete here']);
    t.same(names(lw.list()), ['unscheduled']);
  },
);

t.test('Watch: bookmarks on demand carry the latest resourceVersion', async (t) => {
  const h = await startFake(t, { bookmarkIntervalMs: 0 });
  const events: { type: string; rv?: string }[] = [];
  const watch = new k8s.Watch(h.kc);
  const ctrl = await watch.watch(
    '/api/v1/namespaces',
    { allowWatchBookmarks: true, resourceVersion: '0' },
    (type, obj: k8s.KubernetesObject) => events.push({ type, rv: obj.metadata?.resourceVersion }),
    () => undefined,
  );
  t.teardown(() => ctrl.abort());
  await waitFor(
    'initial ADDED events',
    () => events.filter((e) => e.type === 'ADDED').length === 4,
  );
  h.fake.sendBookmarks();
  await waitFor('a bookmark', () => events.some((e) => e.type === 'BOOKMARK'));
  t.equal(events.find((e) => e.type === 'BOOKMARK')?.rv, h.fake.resourceVersion);
});
