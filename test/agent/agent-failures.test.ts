// Failures land where users look and break nothing: an image that cannot be pulled gives a
// ProxyFailed Event naming the image and the reason (once, not on every retry), a failure metric,
// no container and no capture (the pod's traffic keeps going direct); the agent stays healthy.
import t from 'tap';
import { startAgentHttp } from '../../agent/http.js';
import { waitFor } from '../fake-kube/testing.js';
import { iptablesSave, normalizeIptablesSave } from '../harness/iptables.js';
import { agentEnv, annotationOf, deployment, eventsOf, runningPods } from './agent-env.js';

t.test('an image that cannot be pulled', async (t) => {
  const e = await agentEnv(t);
  const r = await e.kubectl(['apply', '-f', '-'], {
    input: deployment('broken', 1, { 'traffic.envoy.enabled': 'true' }),
  });
  t.equal(r.exitCode, 0, r.stderr);
  const [pod] = await runningPods(e, 'broken', 1);
  const name = pod?.metadata?.name ?? '';
  const sandbox = e.kubelet.pod('default', name);
  const before = normalizeIptablesSave(await iptablesSave(sandbox?.pid ?? 0));
  // A registry on loopback where nothing listens: the pull fails at once, and nothing leaves the host.
  const agent = await e.startAgent({ proxyImage: '127.0.0.1:9/tm-test/absent:1' });
  const http = await startAgentHttp({
    port: 0,
    host: '127.0.0.1',
    metrics: agent.metrics,
    ready: async () => true,
  });
  t.teardown(() => http.server.close());
  const ev = await waitFor('ProxyFailed', async () =>
    (await eventsOf(e, name)).find((x) => x.reason === 'ProxyFailed'),
  );
  t.equal(ev.type, 'Warning');
  t.match(
    ev.message,
    /pulling image 127\.0\.0\.1:9\/tm-test\/absent:1 failed/,
    'names the image and says what failed',
  );
  t.same(await e.runtime.listProxies(), [], 'no proxy container');
  t.equal(await annotationOf(e, name), undefined, 'no annotation');
  t.equal(normalizeIptablesSave(await iptablesSave(sandbox?.pid ?? 0)), before, 'no capture rules');
  const res = await fetch(`http://127.0.0.1:${http.port}/metrics`);
  const text = await res.text();
  t.match(text, /traffic_agent_failures_total\{reason="runtime"\} [1-9]/, 'the failure is counted');
  t.match(text, /traffic_agent_reconcile_passes_total\{result="error"\} [1-9]/);
  const health = await fetch(`http://127.0.0.1:${http.port}/healthz`);
  t.equal(health.status, 200, 'the agent stays up');
  const again = (await eventsOf(e, name)).filter((x) => x.reason === 'ProxyFailed').length;
  await new Promise((res2) => setTimeout(res2, 2500));
  const later = (await eventsOf(e, name)).filter((x) => x.reason === 'ProxyFailed').length;
  t.equal(later, again, 'the same failure is not recorded again on every retry');
});
