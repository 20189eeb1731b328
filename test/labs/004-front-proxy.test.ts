// Seed 004 (Envoy as a front proxy over headless services): one entry point routes /service/1 to
// one Service and /service/2 to another, each headless with several pods, load-balanced by the
// proxy itself. Here the entry point is the ingress gateway and the routing is an Ingress, as a
// user would write it (kubectl apply, kubectl label); a real @grpc/grpc-js-xds client on the
// gateway's own route table calls the paths (see test/support/gateway-probe.ts). The paths are
// ImplementationSpecific (a plain prefix): Prefix becomes Envoy's path_separated_prefix, which
// grpc-js-xds refuses (it NACKs the whole route table); Prefix is covered by the golden tests.
import t from 'tap';
import type { Snapshot } from '../../control/xds/snapshot.js';
import { TYPE } from '../../control/xds/types.js';
import { waitFor } from '../fake-kube/testing.js';
import { gatewayClient, readable } from '../support/gateway-probe.js';
import { backendsFor, startMesh } from '../support/mesh.js';

const PORT = 20000 + Math.floor(Math.random() * 20000);
const HOST = 'front.local';

// The pods' `version` label only names the backends in the tallies.
const app = (n: number): string => `apiVersion: v1
kind: Service
metadata: { name: service${n}, namespace: default }
spec:
  clusterIP: None
  selector: { app: service${n} }
  ports: [{ name: grpc, port: 8000, targetPort: ${PORT} }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: service${n}, namespace: default }
spec:
  replicas: 2
  selector: { matchLabels: { app: service${n} } }
  template:
    metadata: { labels: { app: service${n}, version: service${n} } }
    spec: { containers: [{ name: app, image: service:${n}, ports: [{ containerPort: ${PORT} }] }] }
`;

const ingress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: front-proxy, namespace: default }
spec:
  ingressClassName: traffic-manager
  rules:
  - host: ${HOST}
    http:
      paths:
      - path: /service/1
        pathType: ImplementationSpecific
        backend: { service: { name: service1, port: { number: 8000 } } }
      - path: /service/2
        pathType: ImplementationSpecific
        backend: { service: { name: service2, port: { number: 8000 } } }
`;

function ready(s: Snapshot | undefined): Snapshot | undefined {
  if (!s?.items(TYPE.route).has('ingress_http')) return undefined;
  const eps = (n: number): unknown[] =>
    readable(s, TYPE.endpoint, `8000|default|service${n}.outbound`)?.endpoints?.[0]?.lb_endpoints ??
    [];
  return eps(1).length === 2 && eps(2).length === 2 ? s : undefined;
}

t.test('/service/1 and /service/2 through one front proxy', async (t) => {
  const m = await startMesh(t);
  const applied = await m.kubectl(['apply', '-f', '-'], { input: `${app(1)}---\n${app(2)}` });
  t.equal(applied.exitCode, 0, applied.stderr);
  for (const n of [1, 2]) {
    const r = await m.kubectl(['label', 'svc', `service${n}`, 'traffic.port.8000=grpc']);
    t.equal(r.exitCode, 0, r.stderr);
  }
  t.equal((await m.kubectl(['apply', '-f', '-'], { input: ingress })).exitCode, 0);
  const one = await backendsFor(t, m, 'app=service1', 2, PORT);
  const two = await backendsFor(t, m, 'app=service2', 2, PORT);
  const gateway = await waitFor('the gateway routes with two endpoints per service', () =>
    ready(m.tc.plane.cache.get('traffic-ingress')?.snapshot),
  );
  const client = await gatewayClient(t, gateway, HOST);

  t.same(await client.tallyPath(100, '/service/1'), { service1: 100 }, '/service/1 → service1');
  t.same(await client.tallyPath(100, '/service/2'), { service2: 100 }, '/service/2 → service2');
  for (const b of [...one, ...two]) t.ok(b.calls >= 20, `each pod takes its share (${b.calls})`);
  // Every backend would answer /service/3; the gateway has no route for it.
  const other = await client.tallyPath(10, '/service/3');
  t.ok(
    Object.keys(other).every((k) => k.startsWith('error:')),
    `an unrouted path reaches no backend (${JSON.stringify(other)})`,
  );
});
