// NOTES.txt, as `helm install` prints it (a client-side dry run: no cluster): the first three
// commands to try, and the hints that depend on the values.
import t from 'tap';
import { CHART, NAMESPACE, RELEASE, helm } from './chart.js';

async function notes(values: string[] = []): Promise<string> {
  const r = await helm([
    'install',
    RELEASE,
    CHART,
    '--namespace',
    NAMESPACE,
    '--dry-run=client',
    ...values.flatMap((v) => ['--set', v]),
  ]);
  if (r.exitCode !== 0) throw new Error(r.stderr);
  return r.stdout.slice(r.stdout.indexOf('NOTES:'));
}

t.test('NOTES: the first three commands to try', async (t) => {
  const text = await notes();
  t.match(text, 'kubectl label deployment <name> traffic.envoy.enabled=true');
  t.match(text, /ProxyStarted and CaptureInstalled[\s\S]*kubectl describe pod /);
  t.match(text, 'kubectl label svc <name> traffic.port.9080=http traffic.version.v1.weight=80');
  t.match(text, `kubectl -n ${NAMESPACE} exec ds/traffic-agent -- envoy-tools`);
  t.match(text, 'agent.sysPtrace=true', 'the hint for non-root sandboxes');
  t.match(text, /its node's runtime[\s\S]*Docker\s+or containerd[\s\S]*not crictl/, 'auto');
  t.notMatch(text, /Prometheus:|Zipkin:/);
  t.notMatch(await notes(['agent.runtime=docker']), /containerd/, 'docker: no containerd hint');
});

t.test('NOTES follow the values', async (t) => {
  const text = await notes([
    'agent.runtime=containerd',
    'agent.sysPtrace=true',
    'prometheus.enabled=true',
    'zipkin.enabled=true',
    'ingress.enabled=false',
  ]);
  t.match(text, 'The agents start proxies through containerd');
  t.match(text, 'agent.runtime=auto (the default) when some');
  t.notMatch(text, 'agent.sysPtrace=true');
  t.match(text, `kubectl -n ${NAMESPACE} port-forward svc/traffic-prometheus 9090`);
  t.match(text, `kubectl -n ${NAMESPACE} port-forward svc/traffic-zipkin 9411`);
  t.notMatch(text, 'ingress gateway');
});
