// containerd specifics, on a private containerd with CRI: the proxy lives in the agent's own
// namespace (kubelet's CRI view never lists it), with memory and CPU limits; a crashed proxy is
// replaced; containerd restarts while proxies run; kubelet recreates a sandbox that was stopped
// behind the agent's back (the old proxy, still running in the orphaned netns, goes); an image
// that cannot be pulled gives an Event and no capture.
import t from 'tap';
import { stat } from 'node:fs/promises';
import { DEFAULT_CAPTURE, verifyCapture } from '../../iptables/index.js';
import { waitFor } from '../fake-kube/testing.js';
import { criContainers, stopCriPod } from '../harness/cri-pods.js';
import { iptablesSave, normalizeIptablesSave } from '../harness/iptables.js';
import { connectFromNetns, listenInNetns } from '../harness/netns-tcp.js';
import { STANDIN_DEFAULT_REPLY } from '../harness/standin-proxy.js';
import { annotationOf, deployment, eventsOf, runningPods } from './agent-env.js';
import { ctrdAgentEnv, type CtrdAgentEnv } from './ctrd-env.js';

async function proxied(e: CtrdAgentEnv, name: string): Promise<string> {
  return waitFor(
    `${name} proxied`,
    async () => {
      const mine = (await e.runtime.listProxies()).filter((p) => p.pod.name === name);
      const pod = e.kubelet.pod('default', name);
      const [p] = mine;
      if (mine.length !== 1 || p?.state !== 'running' || !pod || p.sandboxId !== pod.sandboxId)
        return undefined;
      if ((await annotationOf(e, name)) !== p.id) return undefined;
      const v = await verifyCapture({ pid: pod.pid }, DEFAULT_CAPTURE, ['ipv4']);
      return v.ok ? p.id : undefined;
    },
    45_000,
  );
}

async function captured(e: CtrdAgentEnv, from: string, to: string): Promise<boolean> {
  const a = e.kubelet.pod('default', from);
  const b = e.kubelet.pod('default', to);
  if (!a || !b) return false;
  const r = await connectFromNetns(a.pid, b.ip, 9080, { send: 'x\r\n\r\n', timeoutMs: 3000 });
  return r.data.includes(STANDIN_DEFAULT_REPLY);
}

t.test('proxies on containerd', async (t) => {
  const e = await ctrdAgentEnv(t);
  const r = await e.kubectl(['apply', '-f', '-'], {
    input: deployment('web', 2, { 'traffic.envoy.enabled': 'true' }),
  });
  t.equal(r.exitCode, 0, r.stderr);
  const [first, second] = (await runningPods(e, 'web', 2)).map((p) => p.metadata?.name ?? '');
  const name = first ?? '';
  const other = second ?? '';
  await e.startAgent({ resyncMs: 500 });
  const id0 = await proxied(e, name);
  await proxied(e, other);

  await t.test('in its own namespace, invisible to kubelet, with limits', async (t) => {
    const kubeletView = (await criContainers(e.ctrd)).map((c) => c.id);
    t.notOk(kubeletView.includes(id0), "CRI's ListContainers (kubelet's view) does not list it");
    t.equal(kubeletView.length, 2, 'only the two app containers');
    const c = await e.ctrd.api.containers.unary<{ container: { spec: { value: Buffer } } }>(
      'Get',
      { id: id0 },
      { ns: 'traffic-manager' },
    );
    const spec = JSON.parse(c.container.spec.value.toString()) as {
      process: { noNewPrivileges: boolean };
      linux: {
        resources: { memory: { limit: number }; cpu: { quota: number; period: number } };
        cgroupsPath: string;
      };
    };
    t.equal(spec.linux.resources.memory.limit, 512 * 1024 * 1024, 'memory limit');
    t.equal(spec.linux.resources.cpu.quota, 100_000, 'one CPU');
    t.ok(spec.process.noNewPrivileges, 'no new privileges');
    t.match(spec.linux.cgroupsPath, new RegExp(`^${e.ctrd.layout.cgroupParent}/proxies/${id0}$`));
    const img = await e.ctrd.api.images.unary<{ image: { name: string } }>(
      'Get',
      { name: 'docker.io/tm-test/standin-envoy:8900-10000' },
      { ns: 'traffic-manager' },
    );
    t.ok(img.image.name, 'the image was adopted into the agent namespace');
    const pod = (await e.runtime.listProxies()).find((p) => p.id === id0)?.pod;
    const sb = pod ? await e.runtime.findSandbox(pod) : undefined;
    t.ok(sb?.netnsPath?.startsWith(`${e.ctrd.layout.state}/`), "entered through CRI's netns file");
    if (sb?.netnsPath) {
      const [file, proc] = await Promise.all([stat(sb.netnsPath), stat(`/proc/${sb.pid}/ns/net`)]);
      t.equal(file.ino, proc.ino, 'the same namespace as the sandbox process');
    }
  });

  await t.test('the proxy crashes: the agent replaces it', async (t) => {
    await e.ctrd.api.tasks.unary(
      'Kill',
      { container_id: id0, signal: 9, all: true },
      { ns: 'traffic-manager' },
    );
    const id1 = await waitFor(
      'a new proxy',
      async () => {
        const id = await proxied(e, name).catch(() => '');
        return id && id !== id0 ? id : undefined;
      },
      45_000,
    );
    t.not(id1, id0, 'a new container');
    const ev = await waitFor('ProxyFailed', async () =>
      (await eventsOf(e, name)).find((x) => x.reason === 'ProxyFailed'),
    );
    t.match(ev.message, /not running/, 'ProxyFailed Event says why');
    t.notOk(
      (await e.runtime.listProxies()).some((p) => p.id === id0),
      'the dead one is gone',
    );
  });

  await t.test('containerd restarts: proxies keep running, the agent keeps working', async (t) => {
    const before = await proxied(e, name);
    const peer = e.kubelet.pod('default', other);
    const listener = await listenInNetns(peer?.pid ?? 0, 9080, { reply: 'direct' });
    t.teardown(() => listener.stop());
    await e.ctrd.restart();
    t.equal(await proxied(e, name), before, 'the same proxy, still running');
    t.ok(await captured(e, name, other), 'capture still reaches it');
    const s = await e.kubectl(['scale', 'deployment', 'web', '--replicas=3']);
    t.equal(s.exitCode, 0, s.stderr);
    const pods = await runningPods(e, 'web', 3);
    const third =
      pods.map((p) => p.metadata?.name ?? '').find((n) => n !== name && n !== other) ?? '';
    t.ok(await proxied(e, third), 'a pod started after the restart gets its proxy');
  });

  await t.test(
    'a sandbox stopped behind the agent: the proxy follows the new sandbox',
    async (t) => {
      const old = await proxied(e, name);
      const pod = e.kubelet.pod('default', name);
      if (!pod) throw new Error('no pod');
      await stopCriPod(pod);
      const moved = await waitFor(
        'proxy in the new sandbox',
        async () => {
          const id = await proxied(e, name).catch(() => '');
          return id && id !== old ? id : undefined;
        },
        60_000,
      );
      t.not(moved, old, 'a new proxy in the recreated sandbox');
      t.not(e.kubelet.pod('default', name)?.sandboxId, pod.sandboxId, 'kubelet made a new sandbox');
      t.notOk(
        (await e.runtime.listProxies()).some((p) => p.id === old),
        'the proxy of the old sandbox is gone',
      );
    },
  );
});

t.test('an image that cannot be pulled (CRI PullImage fails)', async (t) => {
  const e = await ctrdAgentEnv(t);
  const r = await e.kubectl(['apply', '-f', '-'], {
    input: deployment('broken', 1, { 'traffic.envoy.enabled': 'true' }),
  });
  t.equal(r.exitCode, 0, r.stderr);
  const [pod] = await runningPods(e, 'broken', 1);
  const name = pod?.metadata?.name ?? '';
  const sandbox = e.kubelet.pod('default', name);
  const before = normalizeIptablesSave(await iptablesSave(sandbox?.pid ?? 0));
  // A registry on containerd's loopback where nothing listens: the pull fails at once.
  await e.startAgent({ proxyImage: '127.0.0.1:9/tm-test/absent:1' });
  const ev = await waitFor(
    'ProxyFailed',
    async () => (await eventsOf(e, name)).find((x) => x.reason === 'ProxyFailed'),
    30_000,
  );
  t.match(ev.message, /pulling image 127\.0\.0\.1:9\/tm-test\/absent:1 failed/, 'names the image');
  t.same(await e.runtime.listProxies(), [], 'no proxy');
  t.equal(await annotationOf(e, name), undefined, 'no annotation');
  t.equal(normalizeIptablesSave(await iptablesSave(sandbox?.pid ?? 0)), before, 'no capture rules');
});
