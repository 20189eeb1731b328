// --verify-peer-ip: a stream is served only when its peer address is an address of the pod its
// node id names, so one pod cannot ask for another's config; refusals are clear and counted.
import t from 'tap';
import { startTrafficControl } from '../support/mesh.js';
import { TYPE } from '../../control/xds/types.js';
import { sotwClient } from '../support/ads-client.js';
import { startFake } from '../fake-kube/testing.js';

const POD = (name: string, ip: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels: { 'traffic.envoy.enabled': 'true' } },
  spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'app' }] },
  status: {
    phase: 'Running',
    podIP: ip,
    podIPs: [{ ip }],
    conditions: [{ type: 'Ready', status: 'True' }],
  },
});

t.test('only the pod itself gets its config', async (t) => {
  const h = await startFake(t);
  h.fake.seed([POD('me', '127.0.0.1'), POD('other', '127.0.0.2')]);
  const { xdsPort, adminPort } = await startTrafficControl(t, h.kc, { verifyPeerIp: true });

  const mine = sotwClient(xdsPort);
  t.teardown(() => mine.close());
  mine.send({ node: { id: 'me.default' }, type_url: TYPE.listener });
  const r = await mine.next();
  t.equal(r.type_url, TYPE.listener, 'the pod at 127.0.0.1 gets its listeners');

  const thief = sotwClient(xdsPort);
  t.teardown(() => thief.close());
  thief.send({ node: { id: 'other.default' }, type_url: TYPE.listener });
  const refused = await thief.ended();
  t.equal(refused.code, 7, 'PERMISSION_DENIED');
  t.match(
    refused.details,
    /peer address 127\.0\.0\.1 is not an address of pod other\.default \(127\.0\.0\.2\)/,
  );

  const stranger = sotwClient(xdsPort);
  t.teardown(() => stranger.close());
  stranger.send({ node: { id: 'nobody.default' }, type_url: TYPE.listener });
  t.match((await stranger.ended()).details, /not a pod .* known to traffic-control/);
  const metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  t.match(metrics, /traffic_control_xds_refused_streams_total 2/);
});
