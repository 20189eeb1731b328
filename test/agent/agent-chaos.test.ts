// Crash safety: 100 enable/disable cycles over several pods while the agent process is SIGKILLed
// at random points (each kill lands 0–600 ms after a label change, while the pass for it runs: mid-start,
// mid-capture, mid-removal), then one clean agent: no orphaned
// container, no duplicated or missing rule, every annotation right. The random sequence comes
// from a printed seed (TM_CHAOS_SEED reproduces a run).
import t from 'tap';
import { verifyCapture, DEFAULT_CAPTURE } from '../../iptables/index.js';
import { waitFor } from '../fake-kube/testing.js';
import { iptablesSave, normalizeIptablesSave } from '../harness/iptables.js';
import { agentEnv, annotationOf, deployment, runningPods } from './agent-env.js';
import { spawnAgent, type AgentProcess } from './agent-process.js';

const CYCLES = 100;
const PODS = 4;
const seed = Number(process.env.TM_CHAOS_SEED ?? Date.now() % 1_000_000);
t.comment(`chaos seed ${seed}`);
let state = seed;
const rand = (): number => {
  state = (state * 1103515245 + 12345) % 2147483648;
  return state / 2147483648;
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

t.test('SIGKILL during 100 enable/disable cycles', async (t) => {
  const e = await agentEnv(t);
  const r = await e.kubectl(['apply', '-f', '-'], { input: deployment('chaos', PODS) });
  t.equal(r.exitCode, 0, r.stderr);
  const pods = await runningPods(e, 'chaos', PODS);
  const names = pods.map((p) => p.metadata?.name ?? '');
  const sandboxes = names.map((n) => {
    const p = e.kubelet.pod('default', n);
    if (!p) throw new Error(`no sandbox for ${n}`);
    return p;
  });
  const baseline = await Promise.all(
    sandboxes.map(async (s) => normalizeIptablesSave(await iptablesSave(s.pid))),
  );
  const enabled = new Map(names.map((n) => [n, false]));

  let agent: AgentProcess = spawnAgent(e, t);
  let kills = 0;
  for (let i = 0; i < CYCLES; i++) {
    const name = names[Math.floor(rand() * PODS)] ?? '';
    const on = !enabled.get(name);
    enabled.set(name, on);
    await agent.started; // kill a working agent, not one still loading
    const l = await e.kubectl(['label', 'pod', name, '--overwrite', `traffic.envoy.enabled=${on}`]);
    if (l.exitCode !== 0) throw new Error(l.stderr);
    await sleep(Math.floor(rand() * 600));
    if (rand() < 0.25) {
      await agent.kill('SIGKILL');
      kills++;
      agent = spawnAgent(e, t);
    }
  }
  t.comment(`${CYCLES} cycles, ${kills} SIGKILLs; final: ${JSON.stringify([...enabled])}`);

  async function converged(): Promise<string | undefined> {
    const proxies = await e.runtime.listProxies();
    for (const [i, name] of names.entries()) {
      const s = sandboxes[i];
      if (!s) return 'no sandbox';
      const mine = proxies.filter((p) => p.pod.name === name);
      const ann = (await annotationOf(e, name)) ?? '';
      if (enabled.get(name)) {
        if (mine.length !== 1 || mine[0]?.state !== 'running')
          return `${name}: ${mine.length} proxies`;
        if (ann !== mine[0]?.id) return `${name}: annotation ${ann.slice(0, 12)}`;
        const v = await verifyCapture({ pid: s.pid }, DEFAULT_CAPTURE, ['ipv4']);
        if (!v.ok) return `${name}: ${v.problems.join('; ')}`;
      } else {
        if (mine.length !== 0) return `${name}: ${mine.length} orphaned proxies`;
        if (ann !== '' && ann !== undefined) return `${name}: stale annotation`;
        const now = normalizeIptablesSave(await iptablesSave(s.pid));
        if (now !== baseline[i]) return `${name}: rules left behind`;
      }
    }
    return undefined;
  }

  let last: string | undefined = 'not checked';
  await waitFor(
    'convergence after the last restart',
    async () => {
      last = await converged();
      return last === undefined;
    },
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
    'no orphaned container on the node',
  );
  await agent.kill('SIGTERM');
});
