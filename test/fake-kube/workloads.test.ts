// Workload controllers, the kubelet simulation and garbage collection inside the fake.
import * as k8s from '@kubernetes/client-node';
import t from 'tap';
import type { KubeObject } from './kube.js';
import { as, startFake } from './testing.js';

const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

const deployment = (image: string, replicas: number): k8s.V1Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', namespace: 'shop' },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'api' } },
    template: {
      metadata: { labels: { app: 'api', version: 'v1' } },
      spec: { containers: [{ name: 'api', image }] },
    },
  },
});

const pods = (fake: { list(r: string, q?: object): KubeObject[] }, query: object): k8s.V1Pod[] =>
  fake.list('pods', query).map((o) => as<k8s.V1Pod>(o));
const sets = (fake: { list(r: string, q?: object): KubeObject[] }): k8s.V1ReplicaSet[] =>
  fake.list('rs', { namespace: 'shop' }).map((o) => as<k8s.V1ReplicaSet>(o));

interface Asserts {
  match(found: unknown, wanted: RegExp | string): boolean;
  same(found: unknown, wanted: unknown): boolean;
  equal(found: unknown, wanted: unknown): boolean;
  equal(found: unknown, wanted: unknown, message: string): boolean;
}

function checkOwnedPod(t: Asserts, p: k8s.V1Pod, rs: k8s.V1ReplicaSet, hash: string): void {
  t.match(p.metadata?.name, new RegExp(`^api-${hash}-[a-z0-9]{5}$`));
  t.same(p.metadata?.labels, { app: 'api', version: 'v1', 'pod-template-hash': hash });
  t.same(p.metadata?.ownerReferences, [
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: rs.metadata?.name,
      uid: rs.metadata?.uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);
  t.equal(p.status?.phase, 'Pending');
  t.equal(p.spec?.nodeName, undefined, 'no kubelet, no node');
}

t.test('Deployment → ReplicaSet → Pods with owner references', async (t) => {
  const h = await startFake(t);
  const { fake } = h;
  const apps = h.kc.makeApiClient(k8s.AppsV1Api);
  await h.kc.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: 'shop' } } });
  const d = await apps.createNamespacedDeployment({
    namespace: 'shop',
    body: deployment('api:1', 2),
  });
  await fake.settle();
  const rs = sets(fake)[0];

  await t.test('initial rollout', async (t) => {
    t.equal(sets(fake).length, 1);
    const hash = rs.metadata?.labels?.['pod-template-hash'] ?? '';
    t.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    t.equal(rs.metadata?.name, `api-${hash}`);
    t.same(rs.metadata?.ownerReferences, [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'api',
        uid: d.metadata?.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    t.same(rs.spec?.selector.matchLabels, { app: 'api', 'pod-template-hash': hash });
    t.equal(rs.spec?.replicas, 2);
    const owned = pods(fake, { namespace: 'shop' });
    t.equal(owned.length, 2);
    for (const p of owned) checkOwnedPod(t, p, rs, hash);
    t.equal(as<k8s.V1Deployment>(fake.get('deploy', 'api', 'shop')).status?.replicas, 2);
  });

  await t.test('scaling up and down', async (t) => {
    await apps.patchNamespacedDeployment(
      { namespace: 'shop', name: 'api', body: { spec: { replicas: 4 } } },
      merge,
    );
    await fake.settle();
    t.equal(pods(fake, { namespace: 'shop' }).length, 4);
    await apps.patchNamespacedDeployment(
      { namespace: 'shop', name: 'api', body: { spec: { replicas: 1 } } },
      merge,
    );
    await fake.settle();
    t.equal(pods(fake, { namespace: 'shop' }).length, 1);
    t.equal(
      as<k8s.V1ReplicaSet>(fake.get('rs', rs.metadata?.name ?? '', 'shop')).status?.replicas,
      1,
    );
  });

  await t.test('a template change rolls out a new ReplicaSet', async (t) => {
    await apps.patchNamespacedDeployment(
      {
        namespace: 'shop',
        name: 'api',
        body: { spec: { template: { spec: { containers: [{ name: 'api', image: 'api:2' }] } } } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
    );
    await fake.settle();
    t.equal(sets(fake).length, 2);
    const fresh = sets(fake).find((x) => x.metadata?.name !== rs.metadata?.name);
    t.equal(fresh?.spec?.replicas, 1);
    t.equal(fresh?.metadata?.annotations?.['deployment.kubernetes.io/revision'], '2');
    t.equal(
      as<k8s.V1ReplicaSet>(fake.get('rs', rs.metadata?.name ?? '', 'shop')).spec?.replicas,
      0,
      'old ReplicaSet scaled to 0',
    );
    const now = pods(fake, { namespace: 'shop' });
    t.equal(now.length, 1);
    t.equal(now[0].spec?.containers[0].image, 'api:2');
    t.equal(now[0].metadata?.ownerReferences?.[0].uid, fresh?.metadata?.uid);
  });

  await t.test('deleting the Deployment cascades; Orphan keeps dependents', async (t) => {
    await apps.deleteNamespacedDeployment({ namespace: 'shop', name: 'api' });
    await fake.settle();
    t.same(sets(fake), []);
    t.same(pods(fake, { namespace: 'shop' }), []);
    await apps.createNamespacedDeployment({ namespace: 'shop', body: deployment('api:1', 1) });
    await fake.settle();
    await apps.deleteNamespacedDeployment({
      namespace: 'shop',
      name: 'api',
      propagationPolicy: 'Orphan',
    });
    await fake.settle();
    t.equal(sets(fake).length, 1);
    t.equal(sets(fake)[0].metadata?.ownerReferences, undefined, 'the owner reference is removed');
    t.equal(pods(fake, { namespace: 'shop' }).length, 1);
  });
});

t.test('StatefulSet and DaemonSet pods', async (t) => {
  const { fake } = await startFake(t);
  const template = {
    metadata: { labels: { app: 'db' } },
    spec: { containers: [{ name: 'db', image: 'db:1' }] },
  };
  const sts = (replicas: number): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'data' },
    spec: { replicas, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template },
  });
  fake.seed([
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { pool: 'a' } } },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2', labels: { pool: 'a' } } },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n3', labels: { pool: 'b' } } },
    sts(3),
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'data' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: {
          metadata: { labels: { app: 'agent' } },
          spec: { nodeSelector: { pool: 'a' }, containers: [{ name: 'agent', image: 'agent:1' }] },
        },
      },
    },
  ]);
  await fake.settle();
  const db = pods(fake, { namespace: 'data', labelSelector: 'app=db' });
  t.same(
    db.map((p) => p.metadata?.name),
    ['db-0', 'db-1', 'db-2'],
  );
  t.same(
    db.map((p) => p.spec?.hostname),
    ['db-0', 'db-1', 'db-2'],
  );
  t.same(
    db.map((p) => p.spec?.subdomain),
    ['db', 'db', 'db'],
  );
  t.equal(db[1].metadata?.labels?.['statefulset.kubernetes.io/pod-name'], 'db-1');
  t.equal(db[0].metadata?.ownerReferences?.[0].kind, 'StatefulSet');
  const pinnedTo = (p: k8s.V1Pod): string | undefined =>
    p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
      ?.nodeSelectorTerms[0].matchFields?.[0].values?.[0];
  const agents = pods(fake, { namespace: 'data', labelSelector: 'app=agent' });
  t.same(agents.map(pinnedTo).sort(), ['n1', 'n2'], 'one pod per eligible node');
  t.equal(as<k8s.V1DaemonSet>(fake.get('ds', 'agent', 'data')).status?.desiredNumberScheduled, 2);
  fake.seed(sts(1));
  t.ok(fake.remove('nodes', 'n2'));
  await fake.settle();
  t.same(
    pods(fake, { namespace: 'data', labelSelector: 'app=db' }).map((p) => p.metadata?.name),
    ['db-0'],
  );
  t.same(
    pods(fake, { namespace: 'data', labelSelector: 'app=agent' }).map(pinnedTo),
    ['n1'],
    'the pod of a removed node goes',
  );
});

t.test('kubelet simulation schedules and starts pods with loopback IPs', async (t) => {
  const h = await startFake(t, { kubelet: { nodeName: 'node-a', podCidr: '127.0.10.0/24' } });
  const { fake } = h;
  fake.seed([
    deployment('api:1', 2) as KubeObject,
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'api', namespace: 'shop' },
      spec: { selector: { app: 'api' }, ports: [{ port: 80, targetPort: 8080 }] },
    },
  ]);
  await fake.settle();
  const node = as<k8s.V1Node>(fake.get('nodes', 'node-a'));
  t.same(
    node.status?.conditions?.map((c) => [c.type, c.status]),
    [['Ready', 'True']],
  );
  const running = pods(fake, { namespace: 'shop' });
  t.same(running.map((p) => p.status?.podIP).sort(), ['127.0.10.2', '127.0.10.3']);
  for (const p of running) {
    t.equal(p.spec?.nodeName, 'node-a');
    t.equal(p.status?.phase, 'Running');
    t.same(p.status?.podIPs, [{ ip: p.status?.podIP }]);
    t.equal(p.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    t.equal(p.status?.containerStatuses?.[0].ready, true);
  }
  const d = as<k8s.V1Deployment>(fake.get('deploy', 'api', 'shop'));
  t.equal(d.status?.readyReplicas, 2);
  t.equal(d.status?.availableReplicas, 2);
  const slice = as<k8s.V1EndpointSlice>(fake.list('endpointslices', { namespace: 'shop' })[0]);
  t.same(slice.endpoints.map((e) => e.addresses[0]).sort(), ['127.0.10.2', '127.0.10.3']);
  const out = await h.kubectl([
    'get',
    'pods',
    '-n',
    'shop',
    '--field-selector',
    'spec.nodeName=node-a',
    '-o',
    'wide',
  ]);
  t.match(out.stdout, /1\/1\s+Running\s+0\s+\S+\s+127\.0\.10\.\d\s+node-a/);
  t.equal(pods(fake, { fieldSelector: 'spec.nodeName=node-a' }).length, 2);
});

t.test('kubelet options: custom IP allocation, readiness, host network, two nodes', async (t) => {
  let next = 0;
  const { fake } = await startFake(t, {
    kubelet: [
      {
        nodeName: 'a',
        hostIP: '127.0.0.1',
        allocateIp: () => [`10.9.0.${++next}`, `fd00::${next}`],
        podReady: (p) => !as<k8s.V1Pod>(p).metadata?.name?.startsWith('slow'),
      },
      { nodeName: 'b', hostIP: '127.0.0.2', nodeLabels: { zone: 'z2' } },
    ],
  });
  const bare = (name: string, spec: KubeObject = {}): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'x' } },
    spec: { containers: [{ name: 'c', image: 'i' }], ...spec },
  });
  fake.seed([
    bare('slow', { nodeSelector: { 'kubernetes.io/hostname': 'a' } }),
    bare('zoned', { nodeSelector: { zone: 'z2' } }),
    bare('host', { nodeName: 'b', hostNetwork: true }),
  ]);
  await fake.settle();
  const get = (n: string): k8s.V1Pod => as(fake.get('pods', n));
  t.same(get('slow').status?.podIPs, [{ ip: '10.9.0.1' }, { ip: 'fd00::1' }]);
  t.equal(get('slow').status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
  t.equal(get('slow').status?.containerStatuses?.[0].ready, false);
  t.equal(get('zoned').spec?.nodeName, 'b', 'nodeSelector honoured');
  t.equal(get('zoned').status?.podIP, '127.0.11.2', 'second node, second default CIDR');
  t.equal(get('host').status?.podIP, '127.0.0.2', 'host network pods get the host IP');
  t.same(
    fake.list('nodes').map((n) => as<k8s.V1Node>(n).metadata?.name),
    ['a', 'b'],
  );
});

t.test('deleting a namespace deletes what is in it', async (t) => {
  const { fake } = await startFake(t, { controllers: false });
  fake.seed([
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'gone' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'stays' } },
  ]);
  t.ok(fake.remove('ns', 'gone'));
  t.same(fake.list('cm', { namespace: 'gone' }), []);
  t.equal(fake.list('cm', { namespace: 'stays' }).length, 1);
  t.equal(fake.get('ns', 'gone'), undefined);
});
