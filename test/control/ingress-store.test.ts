// The model side of the gateway: IngressClasses decide which Ingresses are ours, and so which
// Secrets are read at all; every Ingress, IngressClass and Secret change is a gateway change.
// A cluster that refuses IngressClasses (RBAC) still starts and serves class-named Ingresses.
import type * as k8s from '@kubernetes/client-node';
import t from 'tap';
import { ModelStore } from '../../control/kube/store.js';
import { INGRESS_CONTROLLER } from '../../control/policy/ingress-class.js';
import { startTrafficControl } from '../support/mesh.js';
import { startFake, waitFor } from '../fake-kube/testing.js';

const ingress = (name: string, spec: k8s.V1IngressSpec): k8s.V1Ingress => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name, namespace: 'shop', uid: `uid-${name}` },
  spec,
});

const cls = (isDefault: boolean, controller = INGRESS_CONTROLLER): k8s.V1IngressClass => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'IngressClass',
  metadata: {
    name: 'traffic-manager',
    annotations: { 'ingressclass.kubernetes.io/is-default-class': String(isDefault) },
  },
  spec: { controller },
});

t.test('the default class decides whose Secrets are read', async (t) => {
  const s = new ModelStore();
  const c1 = s.applyIngress(
    'add',
    ingress('named', { ingressClassName: 'traffic-manager', tls: [{ secretName: 'a' }] }),
  );
  s.applyIngress('add', ingress('classless', { tls: [{ secretName: 'b' }] }));
  s.applyIngress(
    'add',
    ingress('nginx', { ingressClassName: 'nginx', tls: [{ secretName: 'c' }] }),
  );
  s.applyIngress('add', ingress('legacy', { tls: [{ secretName: 'd' }] }));
  s.applyIngress('update', {
    ...ingress('legacy', { tls: [{ secretName: 'd' }] }),
    metadata: {
      name: 'legacy',
      namespace: 'shop',
      annotations: { 'kubernetes.io/ingress.class': 'traffic-manager' },
    },
  });
  t.equal(c1.gateway, true, 'an Ingress change is a gateway change');
  t.same([...s.referencedSecrets()].sort(), ['shop/a', 'shop/d']);
  const c2 = s.applyIngressClass('add', cls(true));
  t.equal(c2.gateway, true);
  t.same(
    [...s.referencedSecrets()].sort(),
    ['shop/a', 'shop/b', 'shop/d'],
    'ours is the default now',
  );
  s.applyIngressClass('update', cls(true, 'example.com/other'));
  t.same([...s.referencedSecrets()], [], 'the class belongs to another controller');
  s.applyIngressClass('delete', cls(true, 'example.com/other'));
  t.same([...s.referencedSecrets()].sort(), ['shop/a', 'shop/d']);
  const configured = new ModelStore('edge');
  configured.applyIngress(
    'add',
    ingress('e', { ingressClassName: 'edge', tls: [{ secretName: 'e' }] }),
  );
  configured.applyIngress(
    'add',
    ingress('n', { ingressClassName: 'traffic-manager', tls: [{ secretName: 'n' }] }),
  );
  t.same([...configured.referencedSecrets()], ['shop/e'], 'a configured class');
});

t.test('Secrets: listed, changed and forgotten', async (t) => {
  const s = new ModelStore();
  const secret: k8s.V1Secret = {
    metadata: { name: 'a', namespace: 'shop' },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': 'Y3J0', 'tls.key': 'a2V5' },
  };
  t.equal(s.secretListed('shop/a').gateway, true);
  t.ok(s.secretsListed.has('shop/a'));
  t.equal(s.applySecret('add', secret).gateway, true);
  t.same(s.secrets.get('shop/a')?.certificateChain, 'Y3J0');
  s.forgetSecret('shop/a');
  t.notOk(s.secretsListed.has('shop/a'));
  t.equal(s.secrets.size, 0);
});

t.test(
  'IngressClasses refused by the API: start-up does not wait, Ingresses are served',
  async (t) => {
    const h = await startFake(t);
    h.fake.failNext('GET', /\/apis\/networking\.k8s\.io\/v1\/ingressclasses/, 403, { times: 1000 });
    h.fake.seed({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { clusterIP: '10.96.0.10', ports: [{ port: 80 }] },
    });
    const started = Date.now();
    const { tc } = await startTrafficControl(t, h.kc, { debounceMs: 20 });
    t.ok(Date.now() - started < 5000, `started in ${Date.now() - started} ms`);
    const applied = await h.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: web, namespace: shop }
spec:
  ingressClassName: traffic-manager
  defaultBackend: { service: { name: web, port: { number: 80 } } }
`,
    });
    t.equal(applied.exitCode, 0, applied.stderr);
    await waitFor('the gateway routes to web', () =>
      tc.plane.cache
        .get('traffic-ingress')
        ?.snapshot.items('type.googleapis.com/envoy.config.cluster.v3.Cluster')
        .has('80|shop|web.outbound'),
    );
    t.ok(
      h.fake.requests.some((r) => r.path.endsWith('/ingressclasses') && r.status === 403),
      'IngressClasses were asked for and refused',
    );
  },
);
