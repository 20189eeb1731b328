// The EndpointSlice and Endpoints controllers inside the fake.
import type * as k8s from '@kubernetes/client-node';
import t from 'tap';
import type { KubeObject } from './kube.js';
import { as, startFake } from './testing.js';

const service = (selector: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'shop', labels: { team: 'a' } },
  spec: {
    selector,
    ports: [
      { name: 'http', port: 80, targetPort: 'http' },
      { name: 'admin', port: 9000, targetPort: 9001 },
    ],
  },
});

function pod(name: string, ips: string[], ready = true, labels = { app: 'web' }): KubeObject {
  const condition = ready ? 'True' : 'False';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', labels },
    spec: {
      nodeName: 'node-a',
      containers: [{ name: 'app', image: 'app:1', ports: [{ name: 'http', containerPort: 8080 }] }],
    },
    status: {
      phase: 'Running',
      podIP: ips[0],
      podIPs: ips.map((ip) => ({ ip })),
      conditions: [
        { type: 'Ready', status: condition },
        { type: 'ContainersReady', status: condition },
      ],
    },
  };
}

t.test('EndpointSlices and Endpoints follow a Service and its pods', async (t) => {
  const { fake } = await startFake(t, { controllers: { workloads: false } });
  fake.seed([
    service({ app: 'web' }),
    pod('web-1', ['10.0.0.1']),
    pod('web-2', ['10.0.0.2'], false),
    pod('other', ['10.0.0.9'], true, { app: 'other' }),
  ]);
  await fake.settle();
  const slices = (): k8s.V1EndpointSlice[] =>
    fake
      .list('endpointslices', {
        namespace: 'shop',
        labelSelector: 'kubernetes.io/service-name=web',
      })
      .map((o) => as<k8s.V1EndpointSlice>(o));
  const uid = (name: string): string | undefined =>
    as<k8s.V1Pod>(fake.get('pods', name, 'shop')).metadata?.uid;
  t.equal(slices().length, 1);
  const slice = slices()[0];
  const name = slice.metadata?.name ?? '';
  const current = (): k8s.V1EndpointSlice => as(fake.get('endpointslices', name, 'shop'));
  t.match(name, /^web-[a-z0-9]{5}$/);
  t.same(slice.metadata?.labels, {
    team: 'a',
    'kubernetes.io/service-name': 'web',
    'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
  });
  const svc = as<k8s.V1Service>(fake.get('svc', 'web', 'shop'));
  t.same(slice.metadata?.ownerReferences, [
    {
      apiVersion: 'v1',
      kind: 'Service',
      name: 'web',
      uid: svc.metadata?.uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);
  t.equal(slice.addressType, 'IPv4');
  t.same(
    slice.ports,
    [
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'admin', port: 9001, protocol: 'TCP' },
    ],
    'a named targetPort is resolved against the container port',
  );
  t.same(slice.endpoints, [
    {
      addresses: ['10.0.0.1'],
      conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: 'Pod', namespace: 'shop', name: 'web-1', uid: uid('web-1') },
      nodeName: 'node-a',
    },
    {
      addresses: ['10.0.0.2'],
      conditions: { ready: false, serving: false, terminating: false },
      targetRef: { kind: 'Pod', namespace: 'shop', name: 'web-2', uid: uid('web-2') },
      nodeName: 'node-a',
    },
  ]);
  const ep = as<k8s.V1Endpoints>(fake.get('endpoints', 'web', 'shop'));
  t.same(
    ep.subsets?.[0].addresses?.map((a) => a.ip),
    ['10.0.0.1'],
  );
  t.same(
    ep.subsets?.[0].notReadyAddresses?.map((a) => a.ip),
    ['10.0.0.2'],
  );
  t.same(ep.subsets?.[0].ports, [
    { name: 'http', port: 8080, protocol: 'TCP' },
    { name: 'admin', port: 9001, protocol: 'TCP' },
  ]);

  await t.test('writes only on change', async (t) => {
    const rv = slice.metadata?.resourceVersion;
    fake.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'noise', namespace: 'shop' },
    });
    fake.seed(pod('web-1', ['10.0.0.1']));
    await fake.settle();
    t.equal(current().metadata?.resourceVersion, rv);
  });

  await t.test('a pod turning ready flips its endpoint', async (t) => {
    fake.seed(pod('web-2', ['10.0.0.2'], true));
    await fake.settle();
    t.same(
      current().endpoints.map((e) => e.conditions?.ready),
      [true, true],
    );
  });

  await t.test('a terminating pod: terminating, not ready, serving while ready', async (t) => {
    const held = pod('web-2', ['10.0.0.2'], true);
    fake.seed({
      ...held,
      metadata: {
        name: 'web-2',
        namespace: 'shop',
        labels: { app: 'web' },
        finalizers: ['test/hold'],
      },
    });
    t.ok(fake.remove('pods', 'web-2', 'shop'));
    t.ok(
      as<k8s.V1Pod>(fake.get('pods', 'web-2', 'shop')).metadata?.deletionTimestamp,
      'held by its finalizer',
    );
    await fake.settle();
    t.same(current().endpoints[1].conditions, { ready: false, serving: true, terminating: true });
    const subsets = as<k8s.V1Endpoints>(fake.get('endpoints', 'web', 'shop')).subsets;
    t.same(
      subsets?.[0].addresses?.map((a) => a.ip),
      ['10.0.0.1'],
      'Endpoints leave terminating pods out',
    );
  });

  await t.test('a deleted pod leaves the slice', async (t) => {
    const held = as<k8s.V1Pod>(fake.get('pods', 'web-2', 'shop'));
    fake.seed({
      ...(held as KubeObject),
      metadata: { ...(held.metadata as KubeObject), finalizers: [] },
    });
    t.equal(
      fake.get('pods', 'web-2', 'shop'),
      undefined,
      'removing the last finalizer completes the deletion',
    );
    await fake.settle();
    t.same(
      current().endpoints.map((e) => e.addresses[0]),
      ['10.0.0.1'],
    );
  });

  await t.test('IPv6 pod IPs get an IPv6 slice', async (t) => {
    fake.seed(pod('web-3', ['10.0.0.3', 'fd00::3']));
    await fake.settle();
    t.same(
      slices()
        .map((s) => s.addressType)
        .sort(),
      ['IPv4', 'IPv6'],
    );
    const v6 = slices().find((s) => s.addressType === 'IPv6');
    t.same(
      v6?.endpoints.map((e) => e.addresses[0]),
      ['fd00::3'],
    );
  });

  await t.test('deleting the Service removes its slices and Endpoints', async (t) => {
    t.ok(fake.remove('svc', 'web', 'shop'));
    await fake.settle();
    t.same(fake.list('endpointslices', { namespace: 'shop' }), []);
    t.equal(fake.get('endpoints', 'web', 'shop'), undefined);
  });
});

t.test('a Service nothing backs gets a placeholder slice and no subsets', async (t) => {
  const { fake } = await startFake(t);
  fake.seed(service({ app: 'none' }));
  await fake.settle();
  const slices = fake
    .list('endpointslices', { namespace: 'shop' })
    .map((o) => as<k8s.V1EndpointSlice>(o));
  t.equal(slices.length, 1);
  t.same(slices[0].endpoints, []);
  t.equal(as<k8s.V1Endpoints>(fake.get('endpoints', 'web', 'shop')).subsets, undefined);
});
