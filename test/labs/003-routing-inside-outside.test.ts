// Seed 003 (Istio: routing from inside and outside the cluster): one Service, v1 and v2, a 75/25
// split by version with a URI-prefix match, the same for an in-mesh caller and for the ingress
// gateway. Driven as a user would (kubectl apply, kubectl label) and measured with real
// @grpc/grpc-js-xds clients: one in the mesh, one on the gateway's own route table, clusters and
// endpoints (test/support/gateway-probe.ts says why it is served by a second control plane).
import t from 'tap';
import { TYPE } from '../../control/xds/types.js';
import type { Snapshot } from '../../control/xds/snapshot.js';
import { withinBinomial } from '../support/backends.js';
import { gatewayClient, readable } from '../support/gateway-probe.js';
import { backendsFor, startMesh } from '../support/mesh.js';
import { manifest, NODE, PORT, TARGET } from '../support/reviews-app.js';
import { remoteXdsClient } from '../support/xds-client-process.js';
import { waitFor } from '../fake-kube/testing.js';

const HOST = 'reviews.local';
const REVIEWS = '9080|default|reviews.outbound';
const N = 1000;

const ingress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: reviews, namespace: default }
spec:
  ingressClassName: traffic-manager
  rules:
  - host: ${HOST}
    http:
      paths:
      - path: /tm.test.Echo
        pathType: ImplementationSpecific
        backend: { service: { name: reviews, port: { name: grpc } } }
`;

t.test('the same 75/25 split inside the mesh and at the gateway', async (t) => {
  const m = await startMesh(t);
  t.equal((await m.kubectl(['apply', '-f', '-'], { input: manifest() })).exitCode, 0);
  const labelled = await m.kubectl([
    'label',
    'svc',
    'reviews',
    'traffic.port.9080=grpc',
    'traffic.version.v1.weight=75',
    'traffic.version.v2.weight=25',
  ]);
  t.equal(labelled.exitCode, 0, labelled.stderr);
  t.equal((await m.kubectl(['apply', '-f', '-'], { input: ingress })).exitCode, 0);
  await backendsFor(t, m, 'app=reviews', 2, PORT);
  const mesh = await remoteXdsClient(t, m.xdsPort, NODE, TARGET);
  await mesh.tally(1);

  const gateway = await waitFor('the gateway route with endpoints for both versions', () => {
    const s = m.tc.plane.cache.get('traffic-ingress')?.snapshot;
    const eps = (v: string) =>
      readable(s as Snapshot, TYPE.endpoint, `9080|default|reviews|${v}.outbound`)?.endpoints;
    return s && s.items(TYPE.route).has('ingress_http') && eps('v1') && eps('v2') ? s : undefined;
  });
  const meshSnap = m.tc.translator.snapshotFor(NODE);
  const gwRoute = readable(gateway, TYPE.route, 'ingress_http')?.virtual_hosts?.[0]?.routes?.[0];
  const meshRoute = readable(meshSnap, TYPE.route, REVIEWS)?.virtual_hosts?.[0]?.routes?.[0];
  t.same(gwRoute?.match, { prefix: '/tm.test.Echo' }, 'a URI prefix match');
  t.same(gwRoute?.route, meshRoute?.route, 'the route action in-mesh callers get');
  t.match(gwRoute?.route, {
    weighted_clusters: {
      clusters: [
        { name: '9080|default|reviews|v1.outbound', weight: 75 },
        { name: '9080|default|reviews|v2.outbound', weight: 25 },
      ],
    },
  });
  for (const url of [TYPE.cluster, TYPE.endpoint]) {
    for (const [name, r] of gateway.items(url)) {
      t.equal(r, meshSnap.items(url).get(name), `${name}: the resource the mesh caller got`);
    }
  }

  const outside = await gatewayClient(t, gateway, HOST);

  const inside = await mesh.tally(N);
  const fromGateway = await outside.tally(N);
  t.comment(
    `in-mesh: v1=${inside.v1} v2=${inside.v2}; gateway routes: v1=${fromGateway.v1} v2=${fromGateway.v2}`,
  );
  for (const [who, got] of [
    ['in-mesh caller', inside],
    ['gateway route', fromGateway],
  ] as const) {
    t.equal((got.v1 ?? 0) + (got.v2 ?? 0), N, `${who}: every call answered`);
    t.ok(withinBinomial(got.v1 ?? 0, N, 0.75, 4), `${who}: 75/25 within 4 sd`);
  }
});
