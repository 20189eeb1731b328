// The same end-to-end scenarios on both runtimes (Docker engine and containerd with CRI, each
// private, real iptables, the fake API): labelling a Deployment starts a proxy in each pod's
// netns that the app reaches on loopback, capture sends the app's outbound TCP to it, envoy-tools
// reads its logs; removing the label restores the pod exactly; a pod whose sandbox was stopped
// behind the agent's back and then deleted, and pods deleted while the agent was down, leave no
// proxy behind.
import { execa } from 'execa';
import { dirname, join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { DEFAULT_CAPTURE } from '../../iptables/index.js';
import { runEnvoyTools } from '../../tools/envoy-tools/run.js';
import { waitFor } from '../fake-kube/testing.js';
import { iptablesSave, normalizeIptablesSave } from '../harness/iptables.js';
import { connectFromNetns, listenInNetns } from '../harness/netns-tcp.js';
import { STANDIN_DEFAULT_REPLY } from '../harness/standin-proxy.js';
import { annotationOf, deployment, runningPods } from './agent-env.js';
import { RUNTIMES, runtimeEnv, type NodePod, type RuntimeEnv } from './runtime-env.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The envoy-tools bin with the agent's runtime flags (it has no cgroup parent to set). */
async function envoyTools(e: RuntimeEnv, args: string[]): Promise<{ code: number; out: string }> {
  const rt = e.runtimeArgs.filter(
    (a, i, all) => a !== '--proxy-cgroup-parent' && all[i - 1] !== '--proxy-cgroup-parent',
  );
  const main = join(root, 'tools', 'envoy-tools', 'main.ts');
  const r = await execa(
    process.execPath,
    ['--import', 'tsx', main, ...rt, '--node-name', e.nodeName, ...args],
    { cwd: root, reject: false, env: { KUBECONFIG: e.kubeconfig } },
  );
  return { code: r.exitCode ?? -1, out: `${r.stdout}${r.stderr}` };
}

const HTTP = (path: string): string => `printf 'GET ${path} HTTP/1.0\\r\\n\\r\\n' | nc -w 5 `;

async function podsOf(e: RuntimeEnv, app: string, n: number): Promise<NodePod[]> {
  const objs = await runningPods(e, app, n);
  return objs.map((o) => {
    const p = e.pod('default', o.metadata?.name ?? '');
    if (!p) throw new Error(`no sandbox for ${o.metadata?.name ?? ''}`);
    return p;
  });
}

async function toolLogs(e: RuntimeEnv, id: string): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  const v = { output: 'table', logs: true, follow: false, remove: false, check: false, id };
  const deps = { runtime: e.runtime, adminPort: 8900, baseCapture: DEFAULT_CAPTURE };
  const code = await runEnvoyTools(v, deps, { out, err: new PassThrough() });
  return code === 0 ? text : `exit ${code}`;
}

for (const kind of RUNTIMES) {
  t.test(`traffic-agent on ${kind}`, async (t) => {
    const e = await runtimeEnv(t, kind);
    const applied = await e.kubectl(['apply', '-f', '-'], {
      input: `${deployment('reviews', 2)}\n${deployment('ratings', 1)}`,
    });
    t.equal(applied.exitCode, 0, applied.stderr);
    const pods = await podsOf(e, 'reviews', 2);
    const [ratings] = await podsOf(e, 'ratings', 1);
    if (!ratings) throw new Error('no ratings pod');
    const peer = await listenInNetns(ratings.pid, 9080, { reply: 'from-ratings' });
    t.teardown(() => peer.stop());
    const before = await Promise.all(
      pods.map(async (p) => normalizeIptablesSave(await iptablesSave(p.pid))),
    );
    const agent = await e.startAgent({ resyncMs: 500 });
    const [a, b] = pods;
    if (!a || !b) throw new Error('pods missing');

    await t.test('label: a proxy the app reaches on loopback, capture to it', async (t) => {
      const r = await e.kubectl(['label', 'deployment', 'reviews', 'traffic.envoy.enabled=true']);
      t.equal(r.exitCode, 0, r.stderr);
      for (const p of pods) {
        const id = await waitFor(`annotation on ${p.name}`, () => annotationOf(e, p.name), 45_000);
        t.match(id, /^[0-9a-f]{64}$/, `${p.name} annotated with the proxy id`);
      }
      const proxies = await e.runtime.listProxies();
      t.equal(proxies.length, 2, 'one proxy per pod');
      const mine = proxies.find((p) => p.pod.uid === a.uid);
      const facts = await e.proxyFacts(mine?.id ?? '');
      t.equal(facts.joinsSandbox, a.sandboxId, "joins the pod sandbox's network namespace");
      t.equal(facts.user, '1337:1337', 'runs as the proxy uid and gid');
      t.same(facts.capabilities, [], 'no capabilities');
      t.equal(facts.labels['traffic.envoy.proxy'], 'true');
      t.equal(facts.labels['traffic.envoy.pod-uid'], a.uid);
      t.equal(facts.labels['traffic.envoy.sandbox'], a.sandboxId);
      t.equal(facts.labels['traffic.envoy.node'], e.nodeName);
      t.equal(facts.args[0], '--config-yaml', 'the bootstrap is on the command line');
      const ready = await e.exec(a, ['sh', '-c', `${HTTP('/ready')}127.0.0.1 8900`]);
      t.match(ready.stdout, /LIVE/, 'the app reaches the proxy admin on 127.0.0.1');
      const out = await e.exec(a, ['sh', '-c', `${HTTP('/reviews')}${ratings.ip} 9080`]);
      t.match(
        out.stdout,
        new RegExp(STANDIN_DEFAULT_REPLY),
        "the app's outbound TCP reaches the proxy",
      );
      const own = await connectFromNetns(a.pid, ratings.ip, 9080, {
        send: 'x\r\n\r\n',
        uid: 1337,
        gid: 1337,
      });
      t.match(own.data, /from-ratings/, 'the proxy uid goes direct');
      const list = await envoyTools(e, []);
      t.equal(list.code, 0, list.out);
      t.equal(list.out.trim().split('\n').length, 3, 'envoy-tools lists both proxies');
      t.match(list.out, /\| Up .*\| running/);
      const check = await envoyTools(e, ['--check']);
      t.match(check.out, /2 of 2 proxies pass/, 'envoy-tools --check');
      t.match(
        await toolLogs(e, mine?.id.slice(0, 12) ?? ''),
        /standin-proxy: admin on 8900/,
        'envoy-tools --logs',
      );
    });

    await t.test('remove the label: no proxy, iptables exactly as before', async (t) => {
      const r = await e.kubectl(['label', 'deployment', 'reviews', 'traffic.envoy.enabled-']);
      t.equal(r.exitCode, 0, r.stderr);
      for (const p of pods) {
        await waitFor(
          `cleared on ${p.name}`,
          async () => (await annotationOf(e, p.name)) === '',
          45_000,
        );
      }
      await agent.idle();
      t.same(await e.runtime.listProxies(), [], 'no proxy left');
      const after = await Promise.all(
        pods.map(async (p) => normalizeIptablesSave(await iptablesSave(p.pid))),
      );
      t.same(after, before, 'iptables-save of each pod netns identical to before');
      const direct = await connectFromNetns(a.pid, ratings.ip, 9080, { send: 'x\r\n\r\n' });
      t.match(direct.data, /from-ratings/, 'traffic goes direct again');
    });

    await t.test('a sandbox stopped behind the agent and its pod deleted: no orphan', async (t) => {
      await e.kubectl(['label', 'deployment', 'reviews', 'traffic.envoy.enabled=true']);
      await waitFor(
        '2 proxies',
        async () => ((await e.runtime.listProxies()).length === 2 ? true : undefined),
        45_000,
      );
      await e.stopSandbox(b);
      const d = await e.kubectl(['delete', 'pod', b.name, '--wait=false']);
      t.equal(d.exitCode, 0, d.stderr);
      await waitFor(
        'the proxy of the deleted pod removed',
        async () =>
          (await e.runtime.listProxies()).every((p) => p.pod.uid !== b.uid) ? true : undefined,
        45_000,
      );
      t.pass("the proxy of the stopped sandbox's pod is gone");
    });

    await t.test('pods deleted while the agent was down: removed on its next start', async (t) => {
      await waitFor(
        '2 proxies',
        async () => ((await e.runtime.listProxies()).length === 2 ? true : undefined),
        45_000,
      );
      await agent.stop();
      const s = await e.kubectl(['scale', 'deployment', 'reviews', '--replicas=0']);
      t.equal(s.exitCode, 0, s.stderr);
      await waitFor(
        'pods gone',
        async () => ((await runningPods(e, 'reviews', 0)).length === 0 ? true : undefined),
        30_000,
      );
      t.equal(
        (await e.runtime.listProxies()).length,
        2,
        'the proxies outlive their pods while no agent runs',
      );
      await e.startAgent({ resyncMs: 500 });
      await waitFor(
        'no proxy',
        async () => ((await e.runtime.listProxies()).length === 0 ? true : undefined),
        45_000,
      );
      t.pass('0 orphans after the agent came back');
    });
  });
}
