// An invalid traffic label, end to end: a Kubernetes Event where users look (kubectl describe),
// a log line and a metric; the default is used and traffic keeps flowing.
import t from 'tap';
import { backendsFor, startMesh } from '../support/mesh.js';
import { remoteXdsClient } from '../support/xds-client-process.js';
import { manifest, NODE, PORT, TARGET } from '../support/reviews-app.js';

t.test(
  'an invalid label: an Event where users look, the default, nothing else changes',
  async (t) => {
    const m = await startMesh(t);
    t.equal((await m.kubectl(['apply', '-f', '-'], { input: manifest() })).exitCode, 0);
    await m.kubectl([
      'label',
      'svc',
      'reviews',
      'traffic.port.9080=grpc',
      'traffic.lb.policy=RING_HASH',
    ]);
    const client = await remoteXdsClient(t, m.xdsPort, NODE, TARGET);
    await backendsFor(t, m, 'app=reviews', 2, PORT);
    await client.tally(1);
    const before = m.tc.plane.cache.get(NODE)?.snapshot.fingerprint();
    const r = await m.kubectl([
      'label',
      'svc',
      'reviews',
      '--overwrite',
      'traffic.lb.policy=FASTEST',
    ]);
    t.equal(r.exitCode, 0);
    const deadline = Date.now() + 10_000;
    let describe = '';
    while (Date.now() < deadline) {
      describe = (await m.kubectl(['describe', 'svc', 'reviews'])).stdout;
      if (describe.includes('InvalidTrafficLabel')) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    t.match(
      describe,
      /Warning\s+InvalidTrafficLabel\s+.*invalid value "FASTEST" for traffic\.lb\.policy/,
    );
    t.match(describe, /ROUND_ROBIN, LEAST_REQUEST, RING_HASH, RANDOM, MAGLEV/);
    await new Promise((res) => setTimeout(res, 300));
    t.equal(
      m.tc.plane.cache.get(NODE)?.snapshot.fingerprint() === before,
      false,
      'the policy fell back to its default (ROUND_ROBIN)',
    );
    const metrics = await (await fetch(`http://127.0.0.1:${m.adminPort}/metrics`)).text();
    t.match(
      metrics,
      /traffic_control_invalid_labels_total\{kind="Service",label="traffic.lb.policy"\} 1/,
    );
  },
);
