// Ingresses reach the cluster model, and so do the Secrets their tls sections name, and only
// those: each through a narrow per-Secret watch, never a cluster-wide list of Secrets.
import t from 'tap';
import { startTrafficControl } from '../support/mesh.js';
import { startFake, waitFor } from '../fake-kube/testing.js';

const secret = (name: string, crt: string) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  type: 'kubernetes.io/tls',
  metadata: { name, namespace: 'shop' },
  data: {
    'tls.crt': Buffer.from(crt).toString('base64'),
    'tls.key': Buffer.from('key').toString('base64'),
  },
});

const ingress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: web, namespace: shop }
spec:
  ingressClassName: traffic-manager
  tls: [{ hosts: [shop.example.com], secretName: shop-tls }]
  defaultBackend: { service: { name: frontend, port: { number: 80 } } }
  rules:
  - host: shop.example.com
    http:
      paths:
      - { path: /api, pathType: Prefix, backend: { service: { name: api, port: { name: http } } } }
`;

t.test('ingresses and only their referenced secrets', async (t) => {
  const h = await startFake(t);
  h.fake.seed([secret('shop-tls', 'cert-1'), secret('unrelated-tls', 'secret stuff')]);
  const { tc } = await startTrafficControl(t, h.kc);
  t.equal((await h.kubectl(['apply', '-f', '-'], { input: ingress })).exitCode, 0);
  const ing = await waitFor('the ingress in the model', () => tc.store.ingresses.get('shop/web'));
  t.same(ing.rules, [
    {
      host: 'shop.example.com',
      paths: [{ path: '/api', pathType: 'Prefix', backend: { service: 'api', port: 'http' } }],
    },
  ]);
  t.same(ing.defaultBackend, { service: 'frontend', port: 80 });
  t.equal(ing.className, 'traffic-manager');
  const s = await waitFor('the referenced secret', () => tc.store.secrets.get('shop/shop-tls'));
  t.equal(Buffer.from(s.certificateChain ?? '', 'base64').toString(), 'cert-1');
  t.same([...tc.store.secrets.keys()], ['shop/shop-tls'], 'the unreferenced secret is never read');
  h.fake.seed(secret('shop-tls', 'cert-2'));
  await waitFor(
    'the renewed certificate',
    () =>
      Buffer.from(
        tc.store.secrets.get('shop/shop-tls')?.certificateChain ?? '',
        'base64',
      ).toString() === 'cert-2',
  );
  t.equal((await h.kubectl(['delete', 'ingress', 'web', '-n', 'shop'])).exitCode, 0);
  await waitFor('the secret forgotten', () => tc.store.secrets.size === 0);
  const secretReads = h.fake.requests.filter((r) => r.path.includes('/secrets'));
  t.ok(secretReads.length > 0, 'secrets were read');
  t.same(
    secretReads.filter((r) => r.path === '/api/v1/secrets'),
    [],
    'never a cluster-wide list or watch of secrets',
  );
  t.ok(
    secretReads.every((r) => r.query.get('fieldSelector') === 'metadata.name=shop-tls'),
    'always one named secret',
  );
});
