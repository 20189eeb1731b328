// Least privilege, both ways, against the chart rendered with its defaults: every Kubernetes API
// call the code makes is allowed by its process's ClusterRole, and every rule is used by the
// code (read rules count as used when the code reads the resource at all: get, list and watch
// are granted together) or is listed below as waiting for code that is on its way.
import t from 'tap';
import { COMPONENTS, apiUses, type ApiUse, type Component } from './api-usage.js';
import { READ_VERBS, render, rulesOf, type Rule } from './chart.js';

/** Rules granted ahead of the code that uses them, each with the reason. */
const PENDING: Record<Component, { rule: string; why: string }[]> = {
  'traffic-control': [],
  'traffic-agent': [
    { rule: 'core nodes get', why: 'container runtime detection (the containerd runtime issue)' },
  ],
};

function allowed(rules: Rule[], u: ApiUse): boolean {
  return rules.some(
    (r) =>
      r.apiGroups.includes(u.group) && r.resources.includes(u.resource) && r.verbs.includes(u.verb),
  );
}

function used(uses: ApiUse[], group: string, resource: string, verb: string): boolean {
  const read = READ_VERBS.includes(verb);
  return uses.some(
    (u) =>
      u.group === group &&
      u.resource === resource &&
      (u.verb === verb || (read && READ_VERBS.includes(u.verb))),
  );
}

/** Every (group, resource, verb) a set of rules grants. */
function grants(rules: Rule[]): [string, string, string][] {
  return rules.flatMap((r) =>
    r.apiGroups.flatMap((g) =>
      r.resources.flatMap((res) => r.verbs.map((v): [string, string, string] => [g, res, v])),
    ),
  );
}

t.test('the scan finds the calls it must (a scan that finds nothing proves nothing)', async (t) => {
  const control = apiUses(COMPONENTS['traffic-control']);
  const agent = apiUses(COMPONENTS['traffic-agent']);
  const has = (uses: ApiUse[], g: string, r: string, v: string) =>
    uses.some((u) => u.group === g && u.resource === r && u.verb === v);
  t.ok(has(control, '', 'services', 'watch'), 'control watches Services');
  t.ok(has(control, 'discovery.k8s.io', 'endpointslices', 'list'));
  t.ok(has(control, '', 'events', 'create'), 'control writes Events');
  t.ok(has(control, '', 'secrets', 'watch'), 'control watches referenced Secrets');
  t.ok(has(agent, '', 'pods', 'patch'), 'the agent patches its annotation');
  t.ok(has(agent, '', 'pods', 'get'), 'envoy-tools reads a pod');
  t.ok(has(agent, 'apps', 'replicasets', 'watch'));
  t.notOk(has(agent, '', 'secrets', 'list'), 'the agent never reads Secrets');
});

t.test('every API call the code makes is allowed', async (t) => {
  const docs = await render();
  for (const [name, dirs] of Object.entries(COMPONENTS)) {
    const rules = rulesOf(docs, name);
    const uses = apiUses(dirs);
    const denied = uses.filter((u) => !allowed(rules, u));
    t.same(
      denied.map((u) => `${u.group || 'core'} ${u.resource} ${u.verb} (${u.where})`),
      [],
      `${name}: ${uses.length} calls, all allowed`,
    );
  }
});

t.test('every rule is used by the code, or pending with a reason', async (t) => {
  const docs = await render();
  for (const [name, dirs] of Object.entries(COMPONENTS) as [Component, readonly string[]][]) {
    const uses = apiUses(dirs);
    const pending = new Map(PENDING[name].map((p) => [p.rule, p.why]));
    const granted = new Set<string>();
    for (const [g, res, v] of grants(rulesOf(docs, name))) {
      const key = `${g || 'core'} ${res} ${v}`;
      granted.add(key);
      if (used(uses, g, res, v)) continue;
      const why = pending.get(key);
      t.ok(why, `${name}: "${key}" is used by the code${why ? ` (pending: ${why})` : ''}`);
    }
    t.ok(granted.size > 5, `${name}: ${granted.size} grants checked`);
    for (const p of PENDING[name]) {
      t.ok(granted.has(p.rule), `${name}: pending "${p.rule}" is still granted (else drop it)`);
    }
  }
});
