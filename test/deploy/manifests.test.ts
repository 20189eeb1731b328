// The plain manifest: deploy/manifests/traffic-manager.yaml is the chart rendered with its
// defaults (a fresh render must give the same text, and the same objects as helm's own output),
// and it applies with the real kubectl 1.33 to the fake API server, twice; so does the render
// with every optional component on.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { startFake, type Harness } from '../fake-kube/testing.js';
import {
  ALT_VALUES,
  MANIFEST,
  NAMESPACE,
  parseDocs,
  plainManifest,
  renderText,
  type Obj,
} from './chart.js';

const NAMESPACE_YAML = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${NAMESPACE}\n`;

/** "deployment.apps/traffic-control" as kubectl prints it. */
function kubectlName(d: Obj): string {
  const [group] = String(d.apiVersion).split('/').reverse().slice(1);
  return `${d.kind.toLowerCase()}${group ? `.${group}` : ''}/${d.metadata.name}`;
}

async function applyInto(h: Harness, input: string): Promise<string> {
  const ns = await h.kubectl(['apply', '-f', '-'], { input: NAMESPACE_YAML });
  if (ns.exitCode !== 0) throw new Error(ns.stderr);
  const r = await h.kubectl(['apply', '-f', '-'], { input });
  if (r.exitCode !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
  return r.stdout;
}

t.test('the committed plain manifest is the chart rendered with its defaults', async (t) => {
  const committed = readFileSync(MANIFEST, 'utf8');
  const fresh = await plainManifest();
  t.equal(
    committed === fresh,
    true,
    'deploy/manifests/traffic-manager.yaml is stale: run ' +
      'node --import tsx test/deploy/render.ts > deploy/manifests/traffic-manager.yaml',
  );
  t.same(parseDocs(committed), parseDocs(await renderText()), 'the same objects as helm template');
});

t.test('kubectl apply -f of the plain manifest, twice, to the fake API', async (t) => {
  const h = await startFake(t);
  const text = readFileSync(MANIFEST, 'utf8');
  const docs = parseDocs(text);
  const first = await applyInto(h, text);
  for (const d of docs) t.match(first, `${kubectlName(d)} created`, `${kubectlName(d)} created`);
  const again = await h.kubectl(['apply', '-f', MANIFEST]);
  t.equal(again.exitCode, 0, again.stderr);
  t.notMatch(again.stdout, /created/, 'a second apply creates nothing');

  for (const d of docs) {
    const args = ['get', kubectlName(d), '-o', 'json'];
    if (d.metadata.namespace) args.push('-n', d.metadata.namespace);
    const r = await h.kubectl(args);
    t.equal(r.exitCode, 0, `${kubectlName(d)} is there`);
    const stored = JSON.parse(r.stdout) as Obj;
    t.same(stored.metadata.labels, d.metadata.labels, `${kubectlName(d)} labels`);
    for (const field of ['spec', 'rules', 'roleRef', 'subjects', 'data'] as const) {
      if (d[field] !== undefined) {
        t.match(stored[field], d[field], `${kubectlName(d)} ${field} as applied`);
      }
    }
  }
  const ds = JSON.parse(
    (await h.kubectl(['get', 'ds', 'traffic-agent', '-n', NAMESPACE, '-o', 'json'])).stdout,
  ) as Obj;
  t.equal(ds.spec.template.spec.hostPID, true);
  const svc = JSON.parse(
    (await h.kubectl(['get', 'svc', 'traffic-ingress', '-n', NAMESPACE, '-o', 'json'])).stdout,
  ) as Obj;
  t.same(
    (svc.spec.ports as Obj[]).map((p) => [p.port, p.targetPort]),
    [
      [80, 8080],
      [443, 8443],
    ],
  );
});

t.test('the render with every optional component applies too', async (t) => {
  const h = await startFake(t);
  const text = await renderText(ALT_VALUES);
  const out = await applyInto(h, text);
  for (const name of [
    'deployment.apps/traffic-zipkin',
    'service/traffic-zipkin',
    'deployment.apps/traffic-prometheus',
    'configmap/traffic-prometheus',
    'clusterrole.rbac.authorization.k8s.io/traffic-prometheus',
    'clusterrolebinding.rbac.authorization.k8s.io/traffic-prometheus',
    'serviceaccount/traffic-prometheus',
  ]) {
    t.match(out, `${name} created`);
  }
  t.notMatch(out, /traffic-ingress/, 'no gateway with ingress.enabled=false');
  t.equal(parseDocs(text).length, out.trim().split('\n').length, 'every object applied');
});

t.test('the agent DaemonSet of every agent.runtime applies as rendered', async (t) => {
  const h = await startFake(t);
  for (const mode of ['auto', 'docker', 'containerd']) {
    const docs = parseDocs(await renderText([`agent.runtime=${mode}`]));
    const ds = docs.find((d) => d.kind === 'DaemonSet' && d.metadata.name === 'traffic-agent');
    await applyInto(h, JSON.stringify(ds));
    const r = await h.kubectl(['get', 'ds', 'traffic-agent', '-n', NAMESPACE, '-o', 'json']);
    const stored = JSON.parse(r.stdout) as Obj;
    const pod = stored.spec.template.spec;
    t.same(pod.volumes, ds?.spec.template.spec.volumes, `${mode}: volumes as rendered`);
    t.same(
      pod.containers[0].volumeMounts,
      ds?.spec.template.spec.containers[0].volumeMounts,
      `${mode}: mounts as rendered`,
    );
  }
});
