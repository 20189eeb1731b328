// envoy-tools against real proxies: the table and JSON list, logs (stdout and stderr
// demultiplexed), --check finding a deleted rule, the agent repairing it, --remove, and id
// prefix selection (ambiguous prefixes list the matches).
import { execa } from 'execa';
import { PassThrough } from 'node:stream';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { ProxyInfo } from '../../agent/runtime/types.js';
import { DEFAULT_CAPTURE } from '../../iptables/index.js';
import { runEnvoyTools, type ToolDeps } from '../../tools/envoy-tools/run.js';
import { pickProxy } from '../../tools/envoy-tools/table.js';
import { KubePodPatcher } from '../../agent/annotate.js';
import { waitFor } from '../fake-kube/testing.js';
import { iptablesIn } from '../harness/iptables.js';
import { agentEnv, annotationOf, deployment, eventsOf, runningPods } from './agent-env.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

t.test('id prefixes: unique, ambiguous (listing the matches), unknown, invalid', async (t) => {
  const p = (id: string, name: string): ProxyInfo => ({
    id,
    pod: { name, namespace: 'default', uid: name },
    sandboxId: '',
    state: 'running',
    status: 'Up',
    image: 'x',
    created: new Date(0),
  });
  const list = [
    p('abc1'.padEnd(64, '0'), 'a'),
    p('abc2'.padEnd(64, '0'), 'b'),
    p('def0'.padEnd(64, '0'), 'c'),
  ];
  const one = pickProxy(list, 'abc1');
  t.equal('proxy' in one ? one.proxy.pod.name : '', 'a');
  const amb = pickProxy(list, 'abc');
  t.match('error' in amb ? amb.error : '', /ambiguous[\s\S]*default\/a[\s\S]*default\/b/);
  t.match(JSON.stringify(pickProxy(list, 'fff')), /no proxy/);
  t.match(JSON.stringify(pickProxy(list, 'x;rm')), /hex/);
});

t.test('envoy-tools against real proxies', async (t) => {
  const e = await agentEnv(t);
  const r = await e.kubectl(['apply', '-f', '-'], {
    input: deployment('tools', 2, { 'traffic.envoy.enabled': 'true' }),
  });
  t.equal(r.exitCode, 0, r.stderr);
  const pods = await runningPods(e, 'tools', 2);
  const names = pods.map((p) => p.metadata?.name ?? '').sort();
  await e.startAgent({ resyncMs: 500 });
  for (const n of names) await waitFor(`${n} proxied`, () => annotationOf(e, n), 30_000);

  const deps: ToolDeps = {
    runtime: e.runtime,
    adminPort: 8900,
    baseCapture: DEFAULT_CAPTURE,
    patcher: new KubePodPatcher(e.core),
    readPod: (namespace, name) => e.core.readNamespacedPod({ namespace, name }),
  };

  async function tool(
    args: Record<string, unknown>,
  ): Promise<{ code: number; out: string; err: string }> {
    const out = new PassThrough();
    const err = new PassThrough();
    let o = '';
    let er = '';
    out.on('data', (c: Buffer) => (o += c.toString()));
    err.on('data', (c: Buffer) => (er += c.toString()));
    const v = { output: 'table', logs: false, follow: false, remove: false, check: false, ...args };
    const code = await runEnvoyTools(v, deps, { out, err });
    return { code, out: o, err: er };
  }

  await t.test('the bin lists the proxies on the node', async (t) => {
    const bin = await execa(
      process.execPath,
      [
        '--import',
        'tsx',
        join(root, 'tools', 'envoy-tools', 'main.ts'),
        '--docker-host',
        `unix://${e.engine.socketPath}`,
        '--node-name',
        e.config.nodeName,
      ],
      { cwd: root, reject: false, env: { KUBECONFIG: e.kubeconfig } },
    );
    t.equal(bin.exitCode, 0, bin.stderr);
    const lines = bin.stdout.trim().split('\n');
    t.match(
      lines[0] ?? '',
      /^ID\s+\| Pod\s+\| Namespace \| Status\s+\| State$/,
      'the original columns',
    );
    t.equal(lines.length, 3, 'a row per proxy');
    for (const n of names)
      t.match(bin.stdout, new RegExp(`\\| ${n} +\\| default +\\| Up .*\\| running`));
    const json = await tool({ output: 'json' });
    const items = JSON.parse(json.out) as Array<{ pod: string; state: string }>;
    t.same(items.map((i) => i.pod).sort(), names);
  });

  await t.test('--logs shows stdout and stderr of one proxy', async (t) => {
    const [p] = await e.runtime.listProxies();
    const l = await tool({ logs: true, id: p?.id.slice(0, 8) });
    t.equal(l.code, 0, l.err);
    t.match(l.out, /standin-proxy: admin on 8900, capture on 10000/);
    t.match(l.out, /this line goes to stderr/);
    const control = [...l.out].filter((ch) => ch.charCodeAt(0) < 9);
    t.same(control, [], 'no multiplexing headers');
    const none = await tool({ logs: true });
    t.equal(none.code, 2, '--logs needs --id');
  });

  await t.test('--check finds a deleted rule; the agent repairs it', async (t) => {
    const ok = await tool({ check: true });
    t.equal(ok.code, 0, ok.out);
    t.match(ok.out, /2 of 2 proxies pass/);
    const name = names[0] ?? '';
    const pod = e.kubelet.pod('default', name);
    const del = await iptablesIn(pod?.pid ?? 0, ['-t', 'nat', '-F', 'TRAFFIC_OUTPUT']);
    t.equal(del.exitCode, 0, del.stderr);
    const [p] = (await e.runtime.listProxies()).filter((x) => x.pod.name === name);
    const bad = await tool({ check: true, id: p?.id.slice(0, 12) });
    t.equal(bad.code, 1, 'a failed check exits 1');
    t.match(bad.out, /FAIL capture rules/);
    await waitFor('repaired', async () => (await tool({ check: true })).code === 0, 20_000);
    const ev = (await eventsOf(e, name)).find((x) => x.reason === 'CaptureRepaired');
    t.ok(ev, 'CaptureRepaired Event');
  });

  await t.test('--remove takes out capture, proxy and annotation', async (t) => {
    const name = names[1] ?? '';
    const [p] = (await e.runtime.listProxies()).filter((x) => x.pod.name === name);
    const res = await tool({ remove: true, id: p?.id.slice(0, 12) });
    t.equal(res.code, 0, res.err);
    t.match(res.out, /capture rules removed/);
    t.match(res.out, /annotation traffic.envoy.proxy cleared/);
    const again = await waitFor(
      'the agent starts a new proxy for the still-enabled pod',
      async () => {
        const id = await annotationOf(e, name);
        return id && id !== p?.id ? id : undefined;
      },
      30_000,
    );
    t.not(again, p?.id);
  });
});
