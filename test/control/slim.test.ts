// What the informers keep of an object (control/kube/slim.ts) must convert to exactly the model
// the whole object gives, and the informer must hand out only the slim copy, from its first list
// and from its watch alike.
import t from 'tap';
import * as k8s from '@kubernetes/client-node';
import { pino } from 'pino';
import { ResilientInformer, type ChangeType, type InformerOptions } from '../../lib/informer.js';
import { podModel, serviceModel, sliceModel } from '../../control/kube/convert.js';
import {
  slimPod,
  slimService,
  slimSlice,
  slimWorkload,
  toIdentity,
} from '../../control/kube/slim.js';
import { startFake, waitFor, type Harness, type Teardown } from '../fake-kube/testing.js';

const owner = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  name: 'rs-1',
  uid: 'u-rs',
  controller: true,
};

function pod(name: string, ip: string): k8s.V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      resourceVersion: '7',
      labels: { app: 'reviews', version: 'v2', 'traffic.endpoint.weight': '30' },
      annotations: { 'traffic.egress.services': 'ratings.default', big: 'x'.repeat(2000) },
      ownerReferences: [owner],
      managedFields: [
        { manager: 'kubelet', operation: 'Update', fieldsV1: { f: 'x'.repeat(500) } },
      ],
    },
    spec: {
      nodeName: 'node-1',
      hostNetwork: false,
      containers: [
        {
          name: 'app',
          image: 'reviews:2',
          env: [{ name: 'A', value: 'b'.repeat(300) }],
          ports: [{ containerPort: 9080 }],
        },
      ],
      volumes: [{ name: 'v', emptyDir: {} }],
    },
    status: {
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }, { ip: 'fd00::7' }],
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Ready', status: 'True' },
      ],
      containerStatuses: [
        { name: 'app', image: 'reviews:2', imageID: 'sha', ready: true, restartCount: 0 },
      ],
    },
  };
}

/**
 * A slimming pod informer on a fake API holding pod `listed`, started; pod `watched` is created
 * once it has listed.
 */
async function podInformer(
  t: Teardown,
  more: Pick<InformerOptions<k8s.V1Pod>, 'shrink'>,
  onChange: InformerOptions<k8s.V1Pod>['onChange'],
): Promise<{ h: Harness; inf: ResilientInformer<k8s.V1Pod> }> {
  const h = await startFake(t);
  h.fake.seed(pod('listed', '10.1.0.1') as never);
  const core = h.kc.makeApiClient(k8s.CoreV1Api);
  const inf = new ResilientInformer<k8s.V1Pod>({
    name: 'pods',
    kc: h.kc,
    path: '/api/v1/pods',
    list: () => core.listPodForAllNamespaces(),
    slim: slimPod,
    ...more,
    log: pino({ level: 'silent' }),
    onChange,
  });
  t.teardown(() => inf.stop());
  await inf.start();
  h.fake.seed(pod('watched', '10.1.0.2') as never);
  return { h, inf };
}

t.test('slim objects convert to the same model as whole ones', async (t) => {
  const p = pod('reviews-v2-abc', '10.1.0.7');
  t.same(podModel(slimPod(p)), podModel(p), 'pod');
  const unready = pod('x', '10.1.0.8');
  unready.status = { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False' }] };
  t.same(podModel(slimPod(unready)), podModel(unready), 'unready pod without addresses');
  t.notOk(JSON.stringify(slimPod(p)).includes('managedFields'), 'no managedFields');
  t.notOk(JSON.stringify(slimPod(p)).includes('bbbbbbbb'), 'no container env');

  const svc: k8s.V1Service = {
    metadata: {
      name: 'reviews',
      namespace: 'default',
      uid: 'u-svc',
      labels: { 'traffic.port.9080': 'http' },
      annotations: { a: 'b' },
    },
    spec: {
      type: 'LoadBalancer',
      clusterIP: '172.20.0.9',
      clusterIPs: ['172.20.0.9', 'fd00:20::9'],
      ports: [{ name: 'http', port: 9080, targetPort: 'http', appProtocol: 'http' }],
      selector: { app: 'reviews' },
      sessionAffinity: 'None',
    },
    status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } },
  };
  t.same(serviceModel(slimService(svc)), serviceModel(svc), 'service');

  const slice: k8s.V1EndpointSlice = {
    metadata: {
      name: 'reviews-abc',
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': 'reviews' },
      annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': 'now' },
    },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 9080, protocol: 'TCP' }],
    endpoints: [
      {
        addresses: ['10.1.0.7'],
        conditions: { ready: true, serving: true, terminating: false },
        targetRef: { kind: 'Pod', name: 'reviews-v2-abc', namespace: 'default', uid: 'u' },
        nodeName: 'node-1',
        zone: 'a',
      },
      { addresses: ['10.1.0.8'], conditions: { ready: false, serving: true, terminating: true } },
    ],
  };
  t.same(sliceModel(slimSlice(slice)), sliceModel(slice), 'endpoint slice');

  const rs = { metadata: { name: 'rs-1', namespace: 'default', uid: 'u-rs', labels: { a: 'b' } } };
  const full = { ...rs, spec: { replicas: 3, template: { spec: { containers: [] } } } };
  t.same(slimWorkload(full), rs, 'workload: metadata only');
});

t.test('the informer hands out slim objects from its list and from its watch', async (t) => {
  const seen: [ChangeType, k8s.V1Pod][] = [];
  const { h, inf } = await podInformer(t, {}, (type, obj) => seen.push([type, obj]));
  await waitFor('the watched pod', () => seen.some(([, p]) => p.metadata?.name === 'watched'));
  for (const [type, p] of seen) {
    t.same(p, slimPod(p), `${type} ${p.metadata?.name}: already slim`);
    t.equal(p.metadata?.annotations?.big?.length, 2000, 'annotations kept');
    t.equal(p.spec?.containers.length, 0, 'no containers');
  }
  t.same(
    inf.list().map((p) => Object.keys(p).sort()),
    [
      ['metadata', 'spec', 'status'],
      ['metadata', 'spec', 'status'],
    ],
    'the cache holds the slim copies',
  );
  h.fake.remove('pods', 'listed', 'default');
  await waitFor('the delete', () => seen.some(([type]) => type === 'delete'));
  t.equal(inf.list().length, 1);
});

t.test(
  'with shrink, onChange sees the slim copy and the cache keeps only its identity',
  async (t) => {
    const ips: string[] = [];
    const { inf } = await podInformer(t, { shrink: toIdentity }, (_type, obj) =>
      ips.push(obj.status?.podIP ?? '-'),
    );
    await waitFor('the watched pod', () => ips.length === 2);
    t.same(ips, ['10.1.0.1', '10.1.0.2'], 'onChange read the status');
    for (const p of inf.list()) {
      t.same(Object.keys(p), ['metadata'], `${p.metadata?.name}: only metadata cached`);
      t.same(Object.keys(p.metadata ?? {}).sort(), ['name', 'namespace', 'resourceVersion', 'uid']);
    }
    const slice = slimSlice({
      metadata: {
        name: 's',
        namespace: 'n',
        labels: { 'kubernetes.io/service-name': 'svc', x: 'y' },
      },
      endpoints: [{ addresses: ['10.0.0.1'] }],
      addressType: 'IPv4',
    });
    toIdentity(slice);
    t.same(
      slice,
      { metadata: { name: 's', namespace: 'n', labels: { 'kubernetes.io/service-name': 'svc' } } },
      'a slice keeps the Service it belongs to',
    );
  },
);
