// The HTTP surface directly: discovery, OpenAPI, Status errors, writes and subresources, Tables.
import t from 'tap';
import { nameOf } from './kube.js';
import { startFake } from './testing.js';

function parseJson(text: string) {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: parseJson(text), text };
}

interface Resource {
  name: string;
  shortNames?: string[];
}

const cm = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
});

t.test('discovery, version, openapi and health', async (t) => {
  const { fake } = await startFake(t);
  const v = await call(fake.url, 'GET', '/version');
  t.equal(v.body.major, '1');
  t.equal(v.body.minor, '33');
  t.equal(v.body.gitVersion, 'v1.33.0');
  t.same((await call(fake.url, 'GET', '/api')).body.versions, ['v1']);
  const groups = (await call(fake.url, 'GET', '/apis')).body.groups.map(
    (g: { name: string }) => g.name,
  );
  t.same(groups, [
    'discovery.k8s.io',
    'apps',
    'networking.k8s.io',
    'policy',
    'rbac.authorization.k8s.io',
  ]);
  const core = (await call(fake.url, 'GET', '/api/v1')).body.resources;
  const short = (n: string): unknown => core.find((r: Resource) => r.name === n)?.shortNames;
  t.same(
    [
      short('pods'),
      short('services'),
      short('namespaces'),
      short('nodes'),
      short('endpoints'),
      short('configmaps'),
      short('events'),
    ],
    [['po'], ['svc'], ['ns'], ['no'], ['ep'], ['cm'], ['ev']],
  );
  t.ok(core.some((r: Resource) => r.name === 'pods/status'));
  const appsRes = (await call(fake.url, 'GET', '/apis/apps/v1')).body.resources;
  t.same(
    appsRes.filter((r: Resource) => !r.name.includes('/')).map((r: Resource) => r.shortNames),
    [['deploy'], ['rs'], ['sts'], ['ds']],
  );
  const disc = (await call(fake.url, 'GET', '/apis/discovery.k8s.io/v1')).body.resources;
  t.equal(disc[0].name, 'endpointslices');
  t.equal(disc[0].shortNames, undefined);
  t.same((await call(fake.url, 'GET', '/apis/networking.k8s.io/v1')).body.resources[0].shortNames, [
    'ing',
  ]);
  const v2 = await call(fake.url, 'GET', '/openapi/v2');
  t.equal(v2.status, 404);
  t.equal(v2.body.kind, 'Status');
  const index = (await call(fake.url, 'GET', '/openapi/v3')).body;
  t.match(index.paths['apis/apps/v1'].serverRelativeURL, /^\/openapi\/v3\/apis\/apps\/v1\?hash=/);
  const doc = (await call(fake.url, 'GET', index.paths['apis/apps/v1'].serverRelativeURL)).body;
  const patchOp = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
  t.same(patchOp['x-kubernetes-group-version-kind'], {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
  });
  t.ok(patchOp.parameters.some((p: { name: string }) => p.name === 'fieldValidation'));
  t.ok(
    (await call(fake.url, 'GET', '/openapi/v3/api/v1')).body.paths['/api/v1/nodes/{name}'],
    'cluster-scoped paths have no namespace',
  );
  for (const p of ['/healthz', '/readyz', '/livez'])
    t.equal((await call(fake.url, 'GET', p)).text, 'ok');
});

t.test('Status errors look like the apiserver', async (t) => {
  const { fake } = await startFake(t);
  const missing = await call(fake.url, 'GET', '/apis/apps/v1/namespaces/default/deployments/nope');
  t.equal(missing.status, 404);
  t.same(missing.body, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'deployments.apps "nope" not found',
    reason: 'NotFound',
    details: { name: 'nope', group: 'apps', kind: 'deployments' },
    code: 404,
  });
  t.equal(
    (await call(fake.url, 'POST', '/api/v1/namespaces/default/configmaps', cm('a'))).status,
    201,
  );
  const dup = await call(fake.url, 'POST', '/api/v1/namespaces/default/configmaps', cm('a'));
  t.equal(dup.status, 409);
  t.equal(dup.body.reason, 'AlreadyExists');
  t.equal(dup.body.message, 'configmaps "a" already exists');
  const noNs = await call(fake.url, 'POST', '/api/v1/namespaces/ghost/configmaps', cm('a'));
  t.equal(noNs.status, 404);
  t.equal(noNs.body.message, 'namespaces "ghost" not found');
  const proto = await call(fake.url, 'POST', '/api/v1/namespaces/default/configmaps', 'k8s\0', {
    'Content-Type': 'application/vnd.kubernetes.protobuf',
  });
  t.equal(proto.status, 415);
  t.equal(proto.body.reason, 'UnsupportedMediaType');
  const stored = (await call(fake.url, 'GET', '/api/v1/namespaces/default/configmaps/a')).body;
  const ok = await call(fake.url, 'PUT', '/api/v1/namespaces/default/configmaps/a', {
    ...stored,
    data: { x: '1' },
  });
  t.equal(ok.status, 200);
  t.ok(Number(ok.body.metadata.resourceVersion) > Number(stored.metadata.resourceVersion));
  const stale = await call(fake.url, 'PUT', '/api/v1/namespaces/default/configmaps/a', {
    ...stored,
    data: { x: '2' },
  });
  t.equal(stale.status, 409);
  t.equal(stale.body.reason, 'Conflict');
  const badPatch = await call(fake.url, 'PATCH', '/api/v1/namespaces/default/configmaps/a', '{}', {
    'Content-Type': 'text/plain',
  });
  t.equal(badPatch.status, 415);
  const invalid = await call(fake.url, 'POST', '/apis/apps/v1/namespaces/default/deployments', {
    metadata: { name: 'd' },
    spec: {},
  });
  t.equal(invalid.status, 422);
  t.equal(invalid.body.reason, 'Invalid');
  t.match(invalid.body.message, /^Deployment\.apps "d" is invalid: spec\.selector: Required value/);
  const badSel = await call(fake.url, 'GET', '/api/v1/configmaps?fieldSelector=data.x%3D1');
  t.equal(badSel.status, 400);
  t.equal(
    badSel.body.message,
    '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"',
  );
  const protectedNs = await call(fake.url, 'DELETE', '/api/v1/namespaces/kube-system');
  t.equal(protectedNs.status, 403);
  t.equal(
    protectedNs.body.message,
    'namespaces "kube-system" is forbidden: this namespace may not be deleted',
  );
  fake.failNext('GET', '/api/v1/namespaces/default/configmaps/a', 503);
  t.equal(
    (await call(fake.url, 'GET', '/api/v1/namespaces/default/configmaps/a')).status,
    503,
    'injected',
  );
  t.equal(
    (await call(fake.url, 'GET', '/api/v1/namespaces/default/configmaps/a')).status,
    200,
    'only once',
  );
  t.equal(fake.requests.at(-2)?.status, 503, 'the request log records statuses');
});

t.test('writes: metadata, generation, status subresource, delete', async (t) => {
  const { fake } = await startFake(t, { controllers: false });
  const base = '/apis/apps/v1/namespaces/default/deployments';
  const body = {
    metadata: { name: 'd' },
    spec: {
      selector: { matchLabels: { a: 'b' } },
      template: {
        metadata: { labels: { a: 'b' } },
        spec: { containers: [{ name: 'c', image: 'i' }] },
      },
    },
    status: { replicas: 9 },
  };
  const created = (await call(fake.url, 'POST', base, body)).body;
  t.match(created.metadata.uid, /^[0-9a-f-]{36}$/);
  t.match(created.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  t.equal(created.metadata.generation, 1);
  t.same(created.status, {}, 'status is dropped on create');
  const labelled = (
    await call(
      fake.url,
      'PATCH',
      `${base}/d`,
      { metadata: { labels: { x: 'y' } } },
      { 'Content-Type': 'application/merge-patch+json' },
    )
  ).body;
  t.equal(labelled.metadata.generation, 1, 'metadata changes do not bump generation');
  const respec = (
    await call(
      fake.url,
      'PATCH',
      `${base}/d`,
      { spec: { replicas: 3 }, status: { replicas: 5 } },
      { 'Content-Type': 'application/merge-patch+json' },
    )
  ).body;
  t.equal(respec.metadata.generation, 2, 'spec changes do');
  t.same(respec.status, {}, 'status ignored on the main resource');
  const st = (
    await call(fake.url, 'PUT', `${base}/d/status`, {
      ...respec,
      spec: { replicas: 1 },
      status: { replicas: 3 },
    })
  ).body;
  t.equal(st.status.replicas, 3);
  t.equal(st.spec.replicas, 3, 'spec ignored on the status subresource');
  t.equal((await call(fake.url, 'GET', `${base}/d/status`)).body.status.replicas, 3);
  const same = (
    await call(
      fake.url,
      'PATCH',
      `${base}/d`,
      { metadata: { labels: { x: 'y' } } },
      { 'Content-Type': 'application/merge-patch+json' },
    )
  ).body;
  t.equal(
    same.metadata.resourceVersion,
    st.metadata.resourceVersion,
    'a no-op write keeps the resourceVersion',
  );
  const dry = await call(fake.url, 'DELETE', `${base}/d?dryRun=All`);
  t.equal(dry.status, 200);
  t.ok(fake.get('deploy', 'd'), 'dry run deletes nothing');
  const del = await call(fake.url, 'DELETE', `${base}/d`, { propagationPolicy: 'Background' });
  t.equal(del.status, 200);
  t.equal(del.body.kind, 'Deployment');
  t.ok(
    Number(del.body.metadata.resourceVersion) > Number(st.metadata.resourceVersion),
    'DELETED carries a new resourceVersion',
  );
  t.equal((await call(fake.url, 'GET', `${base}/d`)).status, 404);
  for (const n of ['x1', 'x2', 'y1'])
    fake.seed({
      ...cm(n, { g: n[0] }),
      metadata: { name: n, namespace: 'default', labels: { g: n[0] } },
    });
  const coll = await call(
    fake.url,
    'DELETE',
    '/api/v1/namespaces/default/configmaps?labelSelector=g%3Dx',
  );
  t.same(
    coll.body.items.map((i: { metadata: { name: string } }) => i.metadata.name),
    ['x1', 'x2'],
  );
  t.same(
    fake.list('cm').map((o) => nameOf(o)),
    ['y1'],
  );
});

t.test('list as Table', async (t) => {
  const { fake } = await startFake(t, { controllers: false });
  fake.seed({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: {
      nodeName: 'n',
      containers: [
        { name: 'a', image: 'i' },
        { name: 'b', image: 'i' },
      ],
    },
    status: {
      phase: 'Running',
      podIP: '10.9.9.9',
      containerStatuses: [
        { name: 'a', ready: true, restartCount: 2 },
        { name: 'b', ready: false, restartCount: 1 },
      ],
    },
  });
  const table = (
    await call(fake.url, 'GET', '/api/v1/pods', undefined, {
      Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    })
  ).body;
  t.equal(table.kind, 'Table');
  t.same(
    table.columnDefinitions.map((c: { name: string }) => c.name),
    [
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
      'IP',
      'Node',
      'Nominated Node',
      'Readiness Gates',
    ],
  );
  t.same(table.rows[0].cells.slice(0, 4), ['p', '1/2', 'Running', '3']);
  t.same(table.rows[0].cells.slice(5, 7), ['10.9.9.9', 'n']);
  t.equal(table.rows[0].object.kind, 'PartialObjectMetadata');
  t.equal(table.rows[0].object.metadata.namespace, 'default');
  const generic = (
    await call(fake.url, 'GET', '/api/v1/namespaces/default/configmaps', undefined, {
      Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
    })
  ).body;
  t.same(
    generic.columnDefinitions.map((c: { name: string }) => c.name),
    ['Name', 'Data', 'Age'],
  );
  const secrets = (
    await call(fake.url, 'GET', '/apis/networking.k8s.io/v1/ingresses', undefined, {
      Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
    })
  ).body;
  t.equal(secrets.kind, 'Table');
});
