// Seed 000, the Envoy traffic-splitting lab: backend v1 and v2, three replicas each behind a
// headless Service; 1000 requests split 80/20 (the lab saw 807/193), then a gradual shift to
// 100% v2 while traffic keeps flowing, with no failed request in between. Driven only through
// kubectl against the fake API; a real xDS client measures it.
import t from 'tap';
import { withinBinomial } from '../support/backends.js';
import { backendsFor, converged, fingerprint, startMesh } from '../support/mesh.js';
import { remoteXdsClient } from '../support/xds-client-process.js';

const PORT = 20000 + Math.floor(Math.random() * 20000);
const NODE = 'frontend-5c9d8b7f6-abcde.default';
const TARGET = 'backend.default.svc.cluster.local:8080';

function manifest(): string {
  const deploy = (v: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata: { name: backend-${v}, namespace: default }
spec:
  replicas: 3
  selector: { matchLabels: { app: backend, version: ${v} } }
  template:
    metadata: { labels: { app: backend, version: ${v} } }
    spec: { containers: [{ name: backend, image: backend:${v}, ports: [{ containerPort: ${PORT} }] }] }
`;
  return `apiVersion: v1
kind: Service
metadata: { name: backend, namespace: default, labels: { traffic.port.8080: grpc } }
spec:
  clusterIP: None
  selector: { app: backend }
  ports: [{ port: 8080, targetPort: ${PORT} }]
${deploy('v1')}${deploy('v2')}`;
}

t.test('80/20 over 1000 requests, then a shift to 100% v2 without a failed request', async (t) => {
  const m = await startMesh(t);
  t.equal((await m.kubectl(['apply', '-f', '-'], { input: manifest() })).exitCode, 0);
  const backends = await backendsFor(t, m, 'app=backend', 6, PORT);
  t.equal(backends.length, 6, 'three replicas of each version');
  const client = await remoteXdsClient(t, m.xdsPort, NODE, TARGET);
  await client.tally(1);
  const label = async (v1: number, v2: number): Promise<void> => {
    const before = fingerprint(m, NODE);
    const r = await m.kubectl([
      'label',
      'svc',
      'backend',
      '--overwrite',
      `traffic.version.v1.weight=${v1}`,
      `traffic.version.v2.weight=${v2}`,
    ]);
    t.equal(r.exitCode, 0, r.stderr);
    await converged(m, NODE, before);
  };
  await label(80, 20);
  const split = await client.tally(1000);
  t.comment(
    `80/20 over 1000 requests: v1=${split.v1 ?? 0} v2=${split.v2 ?? 0} (the lab saw 807/193)`,
  );
  t.equal((split.v1 ?? 0) + (split.v2 ?? 0), 1000, 'every request answered');
  t.ok(withinBinomial(split.v2 ?? 0, 1000, 0.2), 'within 3 standard deviations of 20%');
  const perPod = backends.map((b) => `${b.name}@${b.port}:${b.calls}`).join(' ');
  t.comment(`calls per pod: ${perPod}`);

  const during = client.tally(1500);
  for (const [v1, v2] of [
    [60, 40],
    [40, 60],
    [20, 80],
    [0, 100],
  ] as const)
    await label(v1, v2);
  const shifted = await during;
  t.comment(`during the shift: ${JSON.stringify(shifted)}`);
  t.equal((shifted.v1 ?? 0) + (shifted.v2 ?? 0), 1500, 'no failed request while the weights moved');
  t.same(await client.tally(200), { v2: 200 }, 'finally everything on v2');
});
