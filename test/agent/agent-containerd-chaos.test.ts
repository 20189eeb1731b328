// Crash safety on containerd: enable/disable cycles over several pods while the agent process
// (the bin, --runtime auto) is SIGKILLed at random points (mid-adoption of the image, mid-start,
// mid-capture, mid-removal), then one clean agent: every pod as labelled, no orphaned container
// or task in the agent's namespace, no rule left behind. TM_CHAOS_SEED reproduces a run.
import t from 'tap';
import { DEFAULT_CAPTURE, verifyCapture } from '../../iptables/index.js';
import { waitFor } from '../fake-kube/testing.js';
import { iptablesSave, normalizeIptablesSave } from '../harness/iptables.js';
import { annotationOf, deployment, runningPods } from './agent-env.js';
import { spawnAgent, type AgentProcess } from './agent-process.js';
import { ctrdAgentEnv, type CtrdAgentEnv } from './ctrd-env.js';

const CYCLES = 40;
const PODS = 3;
const seed = Number(process.env.TM_CHAOS_SEED ?? Date.now() % 1_000_000);
t.comment(`chaos seed ${seed}`);
let state = seed;
const rand = (): number => {
  state = (state * 1103515245 + 12345) % 2147483648;
  return state / 2147483648;
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Containers and tasks in the agent's namespace that no listed proxy accounts for. */
async function strays(e: CtrdAgentEnv): Promise<string[]> {
  const ns = { ns: e.runtime.namespace };
  const c = await e.ctrd.api.containers.unary<{ containers: Array<{ id: string }> }>(
    'List',
    { filters: [] },
    ns,
  );
  const tasks = await e.ctrd.api.tasks.unary<{ tasks: Array<{ id: string }> }>('List', {}, ns);
  const known = new Set((await e.runtime.listProxies()).map((p) => p.id));
  return [
    ...c.containers.filter((x) => !known.has(x.id)).map((x) => `container ${x.id.slice(0, 12)}`),
    ...tasks.tasks.filter((x) => !known.has(x.id)).map((x) => `task ${x.id.slice(0, 12)}`),
  ];
}

t.test(`SIGKILL during ${CYCLES} enable/disable cycles on containerd`, async (t) => {
  const e = await ctrdAgentEnv(t);
  const r = await e.kubectl(['apply', '-f', '-'], { input: deployment('chaos', PODS) });
  t.equal(r.exitCode, 0, r.stderr);
  const names = (await runningPods(e, 'chaos', PODS)).map((p) => p.metadata?.name ?? '');
  const pod = (n: string): { pid: number } => e.kubelet.pod('default', n) ?? { pid: 0 };
  const baseline = await Promise.all(
    names.map(async (n) => normalizeIptablesSave(await iptablesSave(pod(n).pid))),
  );
  const enabled = new Map(names.map((n) => [n, false]));

  let agent: AgentProcess = spawnAgent(e, t);
  let kills = 0;
  for (let i = 0; i < CYCLES; i++) {
    const name = names[Math.floor(rand() * PODS)] ?? '';
    const on = !enabled.get(name);
    enabled.set(name, on);
    await agent.started;
    const l = await e.kubectl(['label', 'pod', name, '--overwrite', `traffic.envoy.enabled=${on}`]);
    if (l.exitCode !== 0) throw new Error(l.stderr);
    await sleep(Math.floor(rand() * 600));
    if (rand() < 0.3) {
      await agent.kill('SIGKILL');
      kills++;
      agent = spawnAgent(e, t);
    }
  }
  t.comment(`${CYCLES} cycles, ${kills} SIGKILLs; final: ${JSON.stringify([...enabled])}`);

  async function converged(): Promise<string | undefined> {
    const proxies = await e.runtime.listProxies();
    for (const [i, name] of names.entries()) {
      const mine = proxies.filter((p) => p.pod.name === name);
      const ann = (await annotationOf(e, name)) ?? '';
      if (enabled.get(name)) {
        if (mine.length !== 1 || mine[0]?.state !== 'running')
          return `${name}: ${mine.length} proxies`;
        if (ann !== mine[0]?.id) return `${name}: annotation ${ann.slice(0, 12)}`;
        const v = await verifyCapture(pod(name), DEFAULT_CAPTURE, ['ipv4']);
        if (!v.ok) return `${name}: ${v.problems.join('; ')}`;
      } else {
        if (mine.length !== 0) return `${name}: ${mine.length} orphaned proxies`;
        if (ann !== '') return `${name}: stale annotation`;
        if (normalizeIptablesSave(await iptablesSave(pod(name).pid)) !== baseline[i])
          return `${name}: rules left`;
      }
    }
    const left = await strays(e);
    return left.length > 0 ? `strays: ${left.join(', ')}` : undefined;
  }

  let last: string | undefined = 'not checked';
  await waitFor(
    'convergence',
    async () => ((last = await converged()) === undefined ? true : undefined),
    60_000,
  ).catch((err: unknown) => {
    t.fail(`did not converge: ${last ?? ''}\n${agent.output()}`);
    throw err;
  });
  t.pass('every pod converged: proxies, rules and annotations as labelled');
  const all = await e.runtime.listProxies();
  t.equal(
    all.length,
    [...enabled.values()].filter(Boolean).length,
    'no orphaned proxy on the node',
  );
  await agent.kill('SIGTERM');
});
