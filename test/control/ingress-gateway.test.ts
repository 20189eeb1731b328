// The ingress gateway end to end against the fake API: our Ingresses get the gateway Service's
// address in their status (once, not in a loop), bad ones get InvalidIngress Events where users
// look (kubectl describe) while the rest keeps being served; TLS certificates go over SDS to node
// traffic-ingress and to nobody else, renewed in place, never shown by the admin API.
import t from 'tap';
import { TYPE } from '../../control/xds/types.js';
import { decodeResource } from '../../control/xds/encode.js';
import { sotwClient } from '../support/ads-client.js';
import type { R } from '../support/translate-fixture.js';
import { startTrafficControl } from '../support/mesh.js';
import { API_CERT, SHOP_CERT, tlsSecretObject } from '../support/tls-fixture.js';
import { startFake, waitFor, type Harness } from '../fake-kube/testing.js';

const gatewayService = (ip: string) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'traffic-ingress', namespace: 'default' },
  spec: {
    type: 'LoadBalancer',
    clusterIP: '10.96.0.99',
    clusterIPs: ['10.96.0.99'],
    selector: { app: 'traffic-ingress' },
    ports: [
      { name: 'http', port: 80, targetPort: 8080 },
      { name: 'https', port: 443, targetPort: 8443 },
    ],
  },
  status: { loadBalancer: { ingress: [{ ip }] } },
});

const web = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'shop', labels: { 'traffic.retries.5xx': '2' } },
  spec: { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80 }] },
};

const ingresses = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: good, namespace: shop }
spec:
  ingressClassName: traffic-manager
  tls: [{ hosts: [shop.example.com], secretName: shop-tls }]
  rules:
  - host: shop.example.com
    http:
      paths:
      - { path: /, pathType: Prefix, backend: { service: { name: web, port: { name: http } } } }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: bad, namespace: shop }
spec:
  ingressClassName: traffic-manager
  tls: [{ hosts: [bad.example.com], secretName: nope-tls }]
  rules:
  - host: bad.example.com
    http:
      paths:
      - { path: /ok, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }
      - { path: /gone, pathType: Prefix, backend: { service: { name: missing, port: { number: 80 } } } }
      - { path: /port, pathType: Prefix, backend: { service: { name: web, port: { number: 81 } } } }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: theirs, namespace: shop }
spec:
  ingressClassName: nginx
  rules:
  - host: nginx.example.com
    http:
      paths:
      - { path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }
`;

async function statusIp(h: Harness, name: string): Promise<string> {
  const r = await h.kubectl([
    'get',
    'ingress',
    name,
    '-n',
    'shop',
    '-o',
    'jsonpath={.status.loadBalancer.ingress[*].ip}',
  ]);
  return r.stdout;
}

function statusPatches(h: Harness, name: string): number {
  const path = `/apis/networking.k8s.io/v1/namespaces/shop/ingresses/${name}/status`;
  return h.fake.requests.filter((r) => r.method === 'PATCH' && r.path === path).length;
}

t.test('Ingress status, InvalidIngress Events, and no crash', async (t) => {
  const h = await startFake(t);
  h.fake.seed([gatewayService('203.0.113.7'), web, tlsSecretObject('shop-tls', 'shop', SHOP_CERT)]);
  const { tc, adminPort } = await startTrafficControl(t, h.kc, { debounceMs: 20 });
  const applied = await h.kubectl(['apply', '-f', '-'], { input: ingresses });
  t.equal(applied.exitCode, 0, applied.stderr);

  await waitFor(
    'the gateway address in the status',
    async () => (await statusIp(h, 'good')) === '203.0.113.7',
  );
  await waitFor(
    'the bad Ingress, ours too, has it',
    async () => (await statusIp(h, 'bad')) === '203.0.113.7',
  );
  let describe = '';
  await waitFor('three InvalidIngress Events', async () => {
    describe = (await h.kubectl(['describe', 'ingress', 'bad', '-n', 'shop'])).stdout;
    return (describe.match(/InvalidIngress/g) ?? []).length === 3;
  });
  t.match(describe, /Warning\s+InvalidIngress\s+.*backend Service shop\/missing does not exist/);
  t.match(describe, /Warning\s+InvalidIngress\s+.*backend Service shop\/web has no port 81/);
  t.match(describe, /Warning\s+InvalidIngress\s+.*TLS Secret shop\/nope-tls does not exist/);
  t.notMatch(
    (await h.kubectl(['describe', 'ingress', 'good', '-n', 'shop'])).stdout,
    /InvalidIngress/,
  );

  const gw = tc.translator.gatewayResult();
  t.same(
    gw.ingresses.map((i) => i.name),
    ['bad', 'good'],
    'the nginx Ingress is not ours',
  );
  const routes = tc.plane.cache
    .get('traffic-ingress')
    ?.snapshot.items(TYPE.route)
    .get('ingress_http');
  const hosts = (routes?.source as { virtual_hosts: { domains: string[] }[] }).virtual_hosts.map(
    (v) => v.domains[0],
  );
  t.same(hosts, ['bad.example.com', 'shop.example.com'], 'the rest of the bad Ingress is served');
  t.equal((await fetch(`http://127.0.0.1:${adminPort}/healthz`)).status, 200, 'still healthy');

  await new Promise((r) => setTimeout(r, 500));
  t.equal(statusPatches(h, 'good'), 1, 'one status write, no patch storm');
  t.equal(statusPatches(h, 'theirs'), 0, "another class's Ingress is left alone");
  t.equal(await statusIp(h, 'theirs'), '');
  await h.kubectl(['label', 'svc', 'web', '-n', 'shop', 'traffic.request.timeout=1000']);
  await new Promise((r) => setTimeout(r, 300));
  t.equal(statusPatches(h, 'good'), 1, 'other changes write nothing');
  t.equal(
    (
      await h.kubectl([
        'get',
        'events',
        '-n',
        'shop',
        '--field-selector',
        'reason=InvalidIngress',
        '-o',
        'name',
      ])
    ).stdout
      .trim()
      .split('\n').length,
    3,
    'each problem reported once',
  );

  h.fake.seed(gatewayService('203.0.113.8'));
  await waitFor('the new address', async () => (await statusIp(h, 'good')) === '203.0.113.8');
  t.equal(statusPatches(h, 'good'), 2);

  await h.kubectl([
    'patch',
    'ingress',
    'good',
    '-n',
    'shop',
    '--type',
    'merge',
    '-p',
    '{"spec":{"ingressClassName":"nginx"}}',
  ]);
  await waitFor(
    'the status cleared when the Ingress is no longer ours',
    async () => (await statusIp(h, 'good')) === '',
  );
  const metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  t.match(metrics, /traffic_control_invalid_ingresses_total 3/);
});

t.test('the gateway Service without a load balancer: its cluster IP', async (t) => {
  const h = await startFake(t);
  const svc = gatewayService('x');
  h.fake.seed([{ ...svc, metadata: { ...svc.metadata, namespace: 'edge' }, status: {} }, web]);
  await startTrafficControl(t, h.kc, { debounceMs: 20, ingressService: 'edge/traffic-ingress' });
  t.equal((await h.kubectl(['apply', '-f', '-'], { input: ingresses })).exitCode, 0);
  await waitFor('the cluster IP', async () => (await statusIp(h, 'good')) === '10.96.0.99');
});

function decode(r: { resources: { type_url: string; value: Uint8Array }[] }): R[] {
  return r.resources.map((x) => decodeResource(x.type_url, x.value));
}

t.test('SDS: certificates reach node traffic-ingress and nobody else', async (t) => {
  const h = await startFake(t);
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'me', namespace: 'default', labels: { 'traffic.envoy.enabled': 'true' } },
    spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'app' }] },
    status: {
      phase: 'Running',
      podIP: '127.0.0.1',
      podIPs: [{ ip: '127.0.0.1' }],
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
  h.fake.seed([web, pod, tlsSecretObject('shop-tls', 'shop', SHOP_CERT)]);
  const { tc, xdsPort, adminPort } = await startTrafficControl(t, h.kc, { debounceMs: 20 });
  t.equal((await h.kubectl(['apply', '-f', '-'], { input: ingresses })).exitCode, 0);
  await waitFor('the secret in the gateway snapshot', () =>
    tc.plane.cache.get('traffic-ingress')?.snapshot.items(TYPE.secret).has('shop-tls.shop'),
  );

  const gw = sotwClient(xdsPort);
  t.teardown(() => gw.close());
  gw.send({ node: { id: 'traffic-ingress' }, type_url: TYPE.listener });
  const lds = await gw.next();
  t.same(
    decode(lds)
      .map((l) => l.name)
      .sort(),
    ['ingress_http', 'ingress_https'],
  );
  gw.send({
    node: { id: 'traffic-ingress' },
    type_url: TYPE.listener,
    version_info: lds.version_info,
    response_nonce: lds.nonce,
  });
  gw.send({
    node: { id: 'traffic-ingress' },
    type_url: TYPE.secret,
    resource_names: ['shop-tls.shop'],
  });
  const sds = await gw.next();
  t.equal(sds.type_url, TYPE.secret);
  const [secret] = decode(sds);
  t.equal(secret?.name, 'shop-tls.shop');
  t.equal(
    Buffer.from(
      secret?.tls_certificate?.certificate_chain?.inline_bytes ?? '',
      'base64',
    ).toString(),
    SHOP_CERT.crt,
  );

  const proxy = sotwClient(xdsPort);
  t.teardown(() => proxy.close());
  proxy.send({
    node: { id: 'me.default' },
    type_url: TYPE.secret,
    resource_names: ['shop-tls.shop'],
  });
  const got = await proxy.next(1000).then(decode, () => []);
  t.same(got, [], 'a sidecar asking for the same name gets no Secret');

  gw.send({
    node: { id: 'traffic-ingress' },
    type_url: TYPE.secret,
    resource_names: ['shop-tls.shop'],
    version_info: sds.version_info,
    response_nonce: sds.nonce,
  });
  h.fake.seed(tlsSecretObject('shop-tls', 'shop', API_CERT));
  const renewed = decode(await gw.next(5000));
  t.equal(
    Buffer.from(
      renewed[0]?.tls_certificate?.certificate_chain?.inline_bytes ?? '',
      'base64',
    ).toString(),
    API_CERT.crt,
    'a renewed certificate is pushed',
  );

  const dump = await (
    await fetch(`http://127.0.0.1:${adminPort}/debug/config_dump?node=traffic-ingress&type=secret`)
  ).json();
  const shown = JSON.stringify(dump);
  t.match(shown, /\[redacted\]/, 'the admin API redacts private keys');
  t.notOk(shown.includes(Buffer.from(API_CERT.key).toString('base64')), 'the key never appears');
});

t.test('--verify-peer-ip: only the pods behind the gateway Service get its config', async (t) => {
  const h = await startFake(t);
  const gwPod = (ip: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'gateway-abc', namespace: 'default', labels: { app: 'traffic-ingress' } },
    spec: {
      nodeName: 'node-a',
      containers: [
        {
          name: 'envoy',
          image: 'envoy',
          ports: [{ containerPort: 8080 }, { containerPort: 8443 }],
        },
      ],
    },
    status: {
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  });
  h.fake.seed([gatewayService('203.0.113.7'), gwPod('127.0.0.2')]);
  const { tc, xdsPort } = await startTrafficControl(t, h.kc, { verifyPeerIp: true });
  const thief = sotwClient(xdsPort);
  t.teardown(() => thief.close());
  thief.send({ node: { id: 'traffic-ingress' }, type_url: TYPE.listener });
  t.match(
    (await thief.ended()).details,
    /127\.0\.0\.1 is not an endpoint of the gateway Service default\/traffic-ingress \(127\.0\.0\.2\)/,
  );

  h.fake.seed(gwPod('127.0.0.1'));
  await waitFor('the gateway pod at 127.0.0.1 in the slices', () =>
    tc.store.slices
      .get('default/traffic-ingress')
      ?.some((s) => s.endpoints.some((e) => e.addresses.includes('127.0.0.1'))),
  );
  const gw = sotwClient(xdsPort);
  t.teardown(() => gw.close());
  gw.send({ node: { id: 'traffic-ingress' }, type_url: TYPE.listener });
  t.equal((await gw.next()).type_url, TYPE.listener, 'the gateway pod gets its listeners');
});
