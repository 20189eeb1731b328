// The node changes under the agent and it converges: the proxy process crashes (Docker restarts
// it, or it stays dead and the agent replaces it), the Docker engine restarts (new netns, rules
// gone), a pod is deleted (its proxy goes). A dedicated engine, because this test restarts it.
import t from 'tap';
import { DEFAULT_CAPTURE, verifyCapture } from '../../iptables/index.js';
import { waitFor } from '../fake-kube/testing.js';
import { connectFromNetns } from '../harness/netns-tcp.js';
import { refreshPod } from '../harness/pods.js';
import { STANDIN_DEFAULT_REPLY } from '../harness/standin-proxy.js';
import { agentEnv, annotationOf, deployment, eventsOf, runningPods } from './agent-env.js';

t.test('proxy crash, engine restart, pod deletion', async (t) => {
  const e = await agentEnv(t, { dedicatedEngine: true });
  const r = await e.kubectl(['apply', '-f', '-'], {
    input: deployment('web', 2, { 'traffic.envoy.enabled': 'true' }),
  });
  t.equal(r.exitCode, 0, r.stderr);
  const [first, second] = await runningPods(e, 'web', 2);
  const name = first?.metadata?.name ?? '';
  const pod = e.kubelet.pod('default', name);
  if (!pod) throw new Error('no sandbox');
  const agent = await e.startAgent({ resyncMs: 500 });

  async function proxied(podName: string): Promise<string> {
    return waitFor(
      `${podName} proxied`,
      async () => {
        const proxies = (await e.runtime.listProxies()).filter((p) => p.pod.name === podName);
        const id = proxies.length === 1 && proxies[0]?.state === 'running' ? proxies[0].id : '';
        const ann = await annotationOf(e, podName);
        const p = e.kubelet.pod('default', podName);
        if (!id || ann !== id || !p) return undefined;
        const v = await verifyCapture({ pid: p.pid }, DEFAULT_CAPTURE, ['ipv4']);
        return v.ok ? id : undefined;
      },
      45_000,
    );
  }

  const id0 = await proxied(name);
  await proxied(second?.metadata?.name ?? '');

  await t.test(
    'the proxy process crashes: Docker restarts it; capture keeps working',
    async (t) => {
      const info = await e.engine.docker.getContainer(id0).inspect();
      process.kill(info.State.Pid, 'SIGKILL');
      const id = await proxied(name);
      t.equal(id, id0, 'same container, restarted by its restart policy');
      await waitFor('captured again', async () => {
        const c = await connectFromNetns(pod.pid, second?.status?.podIP ?? '', 9080, {
          send: 'x\r\n\r\n',
        });
        return c.data.includes(STANDIN_DEFAULT_REPLY);
      });
      t.pass('traffic reaches the restarted proxy');
    },
  );

  await t.test('the proxy stays dead: the agent replaces it', async (t) => {
    const before = await proxied(name);
    const c = e.engine.docker.getContainer(before);
    await c.update({ RestartPolicy: { Name: 'no' } });
    await c.kill({ signal: 'SIGKILL' });
    const after = await waitFor(
      'a new proxy',
      async () => {
        const id = await proxied(name).catch(() => '');
        return id !== before ? id : undefined;
      },
      45_000,
    );
    t.not(after, before, 'a new container');
    // Events are written without blocking the pass: wait for it rather than read once.
    const ev = await waitFor('ProxyFailed', async () =>
      (await eventsOf(e, name)).find((x) => x.reason === 'ProxyFailed'),
    );
    t.match(ev.message, /not running/, 'ProxyFailed Event says why');
  });

  await t.test(
    'the Docker engine restarts: sandboxes get new netns, the agent reinstalls capture',
    async (t) => {
      await e.engine.restart();
      await refreshPod(pod);
      const id = await proxied(name);
      t.ok(id, 'proxied again after the engine restart');
      const peer = e.kubelet.pod('default', second?.metadata?.name ?? '');
      if (peer) await refreshPod(peer);
      const c = await connectFromNetns(pod.pid, peer?.ip ?? '', 9080, { send: 'x\r\n\r\n' });
      t.match(c.data, new RegExp(STANDIN_DEFAULT_REPLY), 'outbound TCP captured in the new netns');
    },
  );

  await t.test('a deleted pod: its proxy goes', async (t) => {
    const d = await e.kubectl(['scale', 'deployment', 'web', '--replicas=1']);
    t.equal(d.exitCode, 0, d.stderr);
    await waitFor(
      'one proxy left',
      async () => (await e.runtime.listProxies()).length === 1,
      45_000,
    );
    await agent.idle();
    const left = await e.runtime.listProxies();
    t.equal(left.length, 1, 'the deleted pod has no proxy');
  });
});
