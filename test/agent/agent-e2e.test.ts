// traffic-agent end to end on the real Docker engine, real iptables and the fake API: labelling
// a Deployment gives its running pods a proxy container in their netns, capture rules, the
// annotation and Events; outbound TCP from the pod reaches the capture port, traffic from the
// proxy uid and to excluded ports does not; removing the label leaves the pod's iptables exactly
// as before. The proxy is the stand-in image (no Envoy binary exists here).
import t from 'tap';
import { waitFor } from '../fake-kube/testing.js';
import { iptablesSave, normalizeIptablesSave } from '../harness/iptables.js';
import { connectFromNetns, listenInNetns } from '../harness/netns-tcp.js';
import { STANDIN_DEFAULT_REPLY } from '../harness/standin-proxy.js';
import { startTrafficControl } from '../support/mesh.js';
import { agentEnv, annotationOf, deployment, eventsOf, runningPods } from './agent-env.js';

t.test('traffic-agent on a labelled Deployment', async (t) => {
  const e = await agentEnv(t);
  const applied = await e.kubectl(['apply', '-f', '-'], {
    input: `${deployment('reviews', 2)}\n${deployment('ratings', 1)}`,
  });
  t.equal(applied.exitCode, 0, applied.stderr);
  const reviews = await runningPods(e, 'reviews', 2);
  const [ratings] = await runningPods(e, 'ratings', 1);
  const ratingsIp = ratings?.status?.podIP ?? '';
  const ratingsPod = e.kubelet.pod('default', ratings?.metadata?.name ?? '');
  if (!ratingsPod) throw new Error('ratings pod not started');
  const peer = await listenInNetns(ratingsPod.pid, 9080, { reply: 'from-ratings' });
  t.teardown(() => peer.stop());

  const names = reviews.map((p) => p.metadata?.name ?? '');
  const pods = names.map((n) => {
    const p = e.kubelet.pod('default', n);
    if (!p) throw new Error(`no sandbox for ${n}`);
    return p;
  });
  const before = await Promise.all(
    pods.map(async (p) => normalizeIptablesSave(await iptablesSave(p.pid))),
  );

  const agent = await e.startAgent();

  await t.test('before the label: no proxy, traffic goes direct', async (t) => {
    t.same(await e.runtime.listProxies(), [], 'no proxy container');
    const r = await connectFromNetns(pods[0]?.pid ?? 0, ratingsIp, 9080, {
      send: 'GET / HTTP/1.0\r\n\r\n',
    });
    t.match(r.data, /from-ratings/, 'the pod reaches its peer directly');
  });

  await t.test('label the Deployment: proxy, capture, annotation, Events', async (t) => {
    const r = await e.kubectl(['label', 'deployment', 'reviews', 'traffic.envoy.enabled=true']);
    t.equal(r.exitCode, 0, r.stderr);
    for (const name of names) {
      const id = await waitFor(`annotation on ${name}`, () => annotationOf(e, name), 30_000);
      t.match(id, /^[0-9a-f]{64}$/, `${name} annotated with the proxy container id`);
    }
    const proxies = await e.runtime.listProxies();
    t.equal(proxies.length, 2, 'one proxy per pod');
    const info = await e.engine.docker.getContainer(proxies[0]?.id ?? '').inspect();
    const pod = pods.find((p) => p.uid === proxies[0]?.pod.uid);
    t.equal(
      info.HostConfig.NetworkMode,
      `container:${pod?.sandboxId ?? ''}`,
      'joins the sandbox network',
    );
    t.equal(info.Config.User, '1337:1337', 'runs as the proxy uid');
    t.equal(info.HostConfig.Privileged, false, 'not privileged');
    t.same(info.HostConfig.CapDrop, ['ALL'], 'no capabilities');
    t.equal(info.HostConfig.RestartPolicy?.Name, 'unless-stopped');
    t.equal(info.HostConfig.LogConfig?.Config?.['max-size'], '10m', 'bounded logs');
    t.equal(info.Config.Labels['traffic.envoy.proxy'], 'true');
    const sb = await e.runtime.findSandbox(proxies[0]?.pod ?? { name: '', namespace: '', uid: '' });
    t.match(
      sb?.netnsPath ?? '',
      /\/netns\/[0-9a-f]+$/,
      "the sandbox netns is entered by Docker's SandboxKey, no ptrace needed",
    );
    t.equal(info.Config.Labels['traffic.envoy.pod-uid'], pod?.uid);
    t.equal(info.Config.Cmd?.[0], '--config-yaml', 'the bootstrap is on the command line');
    const boot = JSON.parse(info.Config.Cmd?.[1] ?? '{}') as { node?: { id?: string } };
    t.equal(boot.node?.id, `${pod?.name ?? ''}.default`, 'node id <pod>.<namespace>');
    const reasons = (await eventsOf(e, names[0] ?? '')).map((ev) => ev.reason);
    t.ok(reasons.includes('ProxyStarted'), 'ProxyStarted Event');
    t.ok(reasons.includes('CaptureInstalled'), 'CaptureInstalled Event');
  });

  await t.test(
    'outbound TCP goes to the capture port, except the proxy uid and excluded ports',
    async (t) => {
      const pid = pods[0]?.pid ?? 0;
      const req = { send: 'GET /reviews HTTP/1.0\r\n\r\n' };
      const captured = await connectFromNetns(pid, ratingsIp, 9080, req);
      t.match(
        captured.data,
        new RegExp(STANDIN_DEFAULT_REPLY),
        'the app reaches the proxy instead',
      );
      // Another address:port where nothing listens (a pod this test created): captured all the same.
      const any = await connectFromNetns(pid, pods[1]?.ip ?? '', 8081, { ...req, timeoutMs: 3000 });
      t.match(any.data, new RegExp(STANDIN_DEFAULT_REPLY), 'any address:port is captured');
      const own = await connectFromNetns(pid, ratingsIp, 9080, { ...req, uid: 1337, gid: 1337 });
      t.match(own.data, /from-ratings/, 'the proxy uid goes direct (no loop)');
      const name = names[0] ?? '';
      const a = await e.kubectl([
        'annotate',
        'pod',
        name,
        'traffic.envoy.exclude-outbound-ports=9080',
      ]);
      t.equal(a.exitCode, 0, a.stderr);
      await waitFor('9080 excluded', async () => {
        const r = await connectFromNetns(pid, ratingsIp, 9080, req);
        return /from-ratings/.test(r.data);
      });
      t.pass('an excluded port goes direct after the annotation');
      const other = await connectFromNetns(pods[1]?.pid ?? 0, ratingsIp, 9080, req);
      t.match(other.data, new RegExp(STANDIN_DEFAULT_REPLY), 'the other pod keeps its own capture');
    },
  );

  await t.test(
    'a malformed annotation: an Event, the default, nothing else affected',
    async (t) => {
      const name = names[1] ?? '';
      const a = await e.kubectl([
        'annotate',
        'pod',
        name,
        'traffic.envoy.exclude-outbound-cidrs=10.0.0.0/33,nope',
      ]);
      t.equal(a.exitCode, 0, a.stderr);
      const ev = await waitFor('InvalidProxyAnnotation', async () =>
        (await eventsOf(e, name)).find((x) => x.reason === 'InvalidProxyAnnotation'),
      );
      t.equal(ev.type, 'Warning');
      t.match(ev.message, /traffic\.envoy\.exclude-outbound-cidrs/, 'names the annotation');
      const r = await connectFromNetns(pods[1]?.pid ?? 0, ratingsIp, 9080, { send: 'x\r\n\r\n' });
      t.match(
        r.data,
        new RegExp(STANDIN_DEFAULT_REPLY),
        'capture still in place with the defaults',
      );
      t.equal((await e.runtime.listProxies()).length, 2, 'both proxies still run');
    },
  );

  await t.test(
    'remove the label: proxy gone, iptables exactly as before, annotation cleared',
    async (t) => {
      const r = await e.kubectl(['label', 'deployment', 'reviews', 'traffic.envoy.enabled-']);
      t.equal(r.exitCode, 0, r.stderr);
      for (const name of names) {
        await waitFor(
          `annotation cleared on ${name}`,
          async () => (await annotationOf(e, name)) === '',
          30_000,
        );
      }
      await agent.idle();
      t.same(await e.runtime.listProxies(), [], 'no proxy container left');
      const after = await Promise.all(
        pods.map(async (p) => normalizeIptablesSave(await iptablesSave(p.pid))),
      );
      t.same(after, before, 'iptables-save of each pod netns identical to before');
      const reasons = (await eventsOf(e, names[0] ?? '')).map((ev) => ev.reason);
      t.ok(reasons.includes('ProxyRemoved'), 'ProxyRemoved Event');
      const direct = await connectFromNetns(pods[0]?.pid ?? 0, ratingsIp, 9080, {
        send: 'x\r\n\r\n',
      });
      t.match(direct.data, /from-ratings/, 'traffic goes direct again');
    },
  );

  await t.test('an invalid enabled label on a pod: an Event, no proxy, no crash', async (t) => {
    // The label vocabulary's Events come from traffic-control (one reporter for every label);
    // the agent treats the invalid value as the default (off).
    await startTrafficControl(t, e.kc);
    const name = names[0] ?? '';
    const r = await e.kubectl(['label', 'pod', name, 'traffic.envoy.enabled=maybe']);
    t.equal(r.exitCode, 0, r.stderr);
    await e.kubectl(['label', 'deployment', 'ratings', 'traffic.envoy.enabled=true']);
    await waitFor(
      'ratings proxied',
      async () => (await annotationOf(e, ratings?.metadata?.name ?? '')) ?? '',
      30_000,
    );
    await agent.idle();
    const proxies = await e.runtime.listProxies();
    t.same(
      proxies.map((p) => p.pod.name),
      [ratings?.metadata?.name],
      'only the valid pod is proxied',
    );
    const ev = await waitFor('InvalidTrafficLabel', async () =>
      (await eventsOf(e, name)).find((x) => x.reason === 'InvalidTrafficLabel'),
    );
    t.match(ev.message, /traffic\.envoy\.enabled/, 'the Event names the label');
  });
});
