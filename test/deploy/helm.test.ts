// The Helm chart with the real helm 4: lint (strict) and render with the defaults and with every
// optional part switched, then the deployment policy checked on the parsed objects: replicas,
// probes, privileges, labels, RBAC without wildcards, the gateway's ports and bootstrap, tracing.
import t from 'tap';
import { existsSync } from 'node:fs';
import { ensureBinaries } from '../support/binaries.js';
import { DEFAULT_PROXY_IMAGE } from '../../agent/config.js';
import {
  ALT_VALUES,
  CHART,
  NAMESPACE,
  PART_OF,
  WRITE_VERBS,
  container,
  envOf,
  find,
  has,
  helm,
  podTemplates,
  render,
  rulesOf,
  type Obj,
} from './chart.js';

const STANDARD_LABELS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/version',
  'app.kubernetes.io/managed-by',
  PART_OF,
];
const CLUSTER_SCOPED = new Set(['ClusterRole', 'ClusterRoleBinding', 'IngressClass']);
const XDS = `traffic-control.${NAMESPACE}.svc.cluster.local`;

t.test('the pinned helm is there (a missing binary fails, never skips)', async (t) => {
  const { helm: bin, kubectl } = ensureBinaries();
  t.ok(existsSync(bin), bin);
  t.ok(existsSync(kubectl), kubectl);
  const v = await helm(['version', '--short']);
  t.equal(v.exitCode, 0);
  t.match(v.stdout, /^v4\./);
});

t.test('helm lint --strict passes with the defaults and with every option switched', async (t) => {
  const plain = await helm(['lint', '--strict', CHART]);
  t.equal(plain.exitCode, 0, plain.stdout + plain.stderr);
  t.match(plain.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  const alt = await helm(['lint', '--strict', CHART, ...ALT_VALUES.flatMap((v) => ['--set', v])]);
  t.equal(alt.exitCode, 0, alt.stdout + alt.stderr);
});

t.test('bad values fail the render with a message, not a broken manifest', async (t) => {
  const runtime = await helm(['template', 'x', CHART, '--set', 'agent.runtime=cri-o']);
  t.not(runtime.exitCode, 0);
  t.match(runtime.stderr, /agent\.runtime must be auto, docker or containerd, got "cri-o"/);
  const xdsApi = await helm(['template', 'x', CHART, '--set', 'agent.xdsApi=incremental']);
  t.not(xdsApi.exitCode, 0);
  t.match(xdsApi.stderr, /agent\.xdsApi must be sotw or delta, got "incremental"/);
  const zipkin = await helm(['template', 'x', CHART, '--set', 'tracing.zipkinAddress=nohost']);
  t.not(zipkin.exitCode, 0);
  t.match(zipkin.stderr, /tracing\.zipkinAddress must be host:port/);
});

t.test('every object: standard labels, namespace, no cluster-admin, no wildcard', async (t) => {
  for (const values of [[], ALT_VALUES]) {
    const docs = await render(values);
    t.ok(docs.length >= 10, `${docs.length} objects rendered with [${values.join(', ')}]`);
    for (const d of docs) {
      const what = `${d.kind} ${d.metadata?.name}`;
      for (const l of STANDARD_LABELS) t.ok(d.metadata?.labels?.[l], `${what} has ${l}`);
      t.equal(d.metadata?.labels?.[PART_OF], 'traffic-manager', `${what} is part of us`);
      if (CLUSTER_SCOPED.has(d.kind)) t.equal(d.metadata?.namespace, undefined, what);
      else t.equal(d.metadata?.namespace, NAMESPACE, `${what} is in the release namespace`);
    }
    for (const [w, tpl] of podTemplates(docs)) {
      const what = `${w.kind} ${w.metadata.name}`;
      t.equal(tpl.metadata?.labels?.[PART_OF], 'traffic-manager', `${what}: pods never proxied`);
      for (const l of STANDARD_LABELS) t.ok(tpl.metadata?.labels?.[l], `${what} pods have ${l}`);
      for (const [k, v] of Object.entries(w.spec.selector.matchLabels as Record<string, string>)) {
        t.equal(tpl.metadata.labels[k], v, `${what}: the selector matches its pods`);
      }
      t.equal(tpl.spec?.hostNetwork ?? false, false, `${what}: no hostNetwork`);
      t.equal(tpl.spec?.securityContext?.seccompProfile?.type, 'RuntimeDefault', what);
      for (const c of tpl.spec.containers as Obj[]) {
        t.same(c.securityContext?.capabilities?.drop, ['ALL'], `${what}/${c.name} drops ALL`);
        t.ok(c.resources?.requests && c.resources?.limits?.memory, `${what}/${c.name} resources`);
      }
    }
    for (const d of docs.filter(
      (x) => x.kind === 'ClusterRoleBinding' || x.kind === 'RoleBinding',
    )) {
      t.not(d.roleRef?.name, 'cluster-admin', `${d.metadata.name} does not bind cluster-admin`);
      t.equal(d.roleRef?.name, d.metadata.name, 'each binding binds its own role');
    }
    for (const d of docs.filter((x) => x.kind === 'ClusterRole' || x.kind === 'Role')) {
      for (const r of d.rules as Obj[]) {
        for (const field of ['apiGroups', 'resources', 'verbs']) {
          t.notOk(
            (r[field] as string[]).some((x) => x.includes('*')),
            `${d.metadata.name}: no '*' in ${field}`,
          );
        }
        t.equal(r.nonResourceURLs, undefined, `${d.metadata.name}: no nonResourceURLs`);
        t.equal(r.resourceNames, undefined, `${d.metadata.name}: no resourceNames needed`);
      }
    }
  }
});

t.test('traffic-control: 2 replicas, PDB, probes on the admin port, hardened', async (t) => {
  const docs = await render();
  const d = find(docs, 'Deployment', 'traffic-control');
  t.equal(d.spec.replicas, 2);
  t.equal(d.spec.strategy.type, 'RollingUpdate');
  t.equal(d.spec.strategy.rollingUpdate.maxUnavailable, 0);
  const anti = d.spec.template.spec.affinity?.podAntiAffinity;
  t.ok(anti?.preferredDuringSchedulingIgnoredDuringExecution?.length, 'preferred anti-affinity');
  t.equal(anti?.requiredDuringSchedulingIgnoredDuringExecution, undefined, 'never required');
  const pdb = find(docs, 'PodDisruptionBudget', 'traffic-control');
  t.equal(pdb.spec.minAvailable, 1);
  t.same(pdb.spec.selector.matchLabels, d.spec.selector.matchLabels);
  const c = container(d, 'traffic-control');
  t.same(c.readinessProbe.httpGet, { path: '/readyz', port: 15010 });
  t.same(c.livenessProbe.httpGet, { path: '/healthz', port: 15010 });
  t.same(
    (c.ports as Obj[]).map((p) => [p.name, p.containerPort]),
    [
      ['xds', 18000],
      ['admin', 15010],
    ],
  );
  const pod = d.spec.template.spec;
  t.equal(pod.serviceAccountName, 'traffic-control');
  t.match(pod.securityContext, { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532 });
  t.match(c.securityContext, {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
  });
  t.equal(c.securityContext.capabilities.add, undefined, 'no capability added');
  t.ok(c.args.includes('--verify-peer-ip'), '--verify-peer-ip by default');
  t.ok(c.args.includes('--xds-port=18000') && c.args.includes('--admin-port=15010'));
  t.ok(c.args.includes('--capture-port=10000'), 'the same capture port as the agent');
  t.notOk(
    c.args.some((a: string) => a.startsWith('--zipkin-address')),
    'zipkin off: no --zipkin-address',
  );
  const off = container(
    find(await render(['control.verifyPeerIp=false']), 'Deployment', 'traffic-control'),
    'traffic-control',
  );
  t.notOk(off.args.includes('--verify-peer-ip'), 'the value turns it off');

  const svc = find(docs, 'Service', 'traffic-control');
  t.equal(svc.spec.type, 'ClusterIP');
  t.same(
    (svc.spec.ports as Obj[]).map((p) => [p.port, p.targetPort, p.appProtocol]),
    [
      [18000, 'xds', 'grpc'],
      [15010, 'admin', 'http'],
    ],
  );
  t.same(svc.spec.selector, d.spec.selector.matchLabels);
});

t.test('traffic-agent: hostPID, NET_ADMIN + SYS_ADMIN only, the runtime socket', async (t) => {
  const docs = await render();
  const ds = find(docs, 'DaemonSet', 'traffic-agent');
  const pod = ds.spec.template.spec;
  t.equal(pod.hostPID, true, 'hostPID: /proc/<pid>/ns/net of pod sandboxes');
  t.equal(pod.hostNetwork, false);
  t.equal(pod.hostIPC, false);
  t.same(pod.tolerations, [{ operator: 'Exists' }], 'every node gets an agent');
  t.equal(pod.serviceAccountName, 'traffic-agent');
  t.equal(pod.priorityClassName, undefined, 'no priority class unless asked');
  const c = container(ds, 'traffic-agent');
  const sc = c.securityContext;
  t.equal(sc.privileged, false, 'not privileged by default');
  t.equal(sc.runAsUser, 0);
  t.same(sc.capabilities.drop, ['ALL']);
  t.same(sc.capabilities.add, ['NET_ADMIN', 'SYS_ADMIN'], 'exactly NET_ADMIN and SYS_ADMIN');
  t.same(c.readinessProbe.httpGet, { path: '/readyz', port: 15021 });
  t.same(c.livenessProbe.httpGet, { path: '/healthz', port: 15021 });
  const env = envOf(c);
  t.match(env, {
    NODE_NAME: 'spec.nodeName',
    POD_NAME: 'metadata.name',
    POD_NAMESPACE: 'metadata.namespace',
    XDS_ADDRESS: `${XDS}:18000`,
    PROXY_IMAGE: DEFAULT_PROXY_IMAGE,
    METRICS_PORT: '15021',
    CAPTURE_PORT: '10000',
    XDS_API: 'sotw',
  });
  t.equal(c.args, undefined, 'no arguments: everything comes from the environment');

  const alt = await render(ALT_VALUES);
  const altC = container(find(alt, 'DaemonSet', 'traffic-agent'), 'traffic-agent');
  t.equal(altC.securityContext.privileged, true, 'privileged only with agent.privileged');

  const ptrace = container(
    find(await render(['agent.sysPtrace=true']), 'DaemonSet', 'traffic-agent'),
    'traffic-agent',
  );
  t.same(ptrace.securityContext.capabilities.add, ['NET_ADMIN', 'SYS_ADMIN', 'SYS_PTRACE']);
  t.equal(ptrace.securityContext.privileged, false);

  const domain = container(
    find(await render(['clusterDomain=corp.internal']), 'DaemonSet', 'traffic-agent'),
    'traffic-agent',
  );
  t.equal(envOf(domain).XDS_ADDRESS, `traffic-control.${NAMESPACE}.svc.corp.internal:18000`);
});

t.test('RBAC: the agent patches pods and records Events; control only reads', async (t) => {
  const docs = await render();
  const agent = rulesOf(docs, 'traffic-agent');
  const allows = (rules: typeof agent, group: string, resource: string, verb: string) =>
    rules.some(
      (r) =>
        r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb),
    );
  t.ok(allows(agent, '', 'pods', 'patch'), 'agent: pods patch');
  t.ok(allows(agent, '', 'events', 'create'), 'agent: events create');
  t.ok(allows(agent, 'apps', 'replicasets', 'watch'), 'agent: workloads watch');
  t.notOk(allows(agent, '', 'secrets', 'get') || allows(agent, '', 'secrets', 'list'));
  const control = rulesOf(docs, 'traffic-control');
  for (const r of control) {
    const writes = r.verbs.filter((v) => WRITE_VERBS.includes(v));
    if (writes.length === 0) continue;
    t.ok(
      r.resources.every((x) => x === 'ingresses/status' || x === 'events'),
      `control writes only Ingress status and Events: ${JSON.stringify(r)}`,
    );
  }
  t.ok(allows(control, 'networking.k8s.io', 'ingresses/status', 'patch'));
  t.ok(allows(control, '', 'secrets', 'watch'), 'secrets for Ingress TLS by default');
  t.notOk(allows(control, '', 'secrets', 'get'), 'never a plain get on Secrets');

  const noTls = rulesOf(await render(['ingress.tls.enabled=false']), 'traffic-control');
  t.notOk(
    noTls.some((r) => r.resources.includes('secrets')),
    'ingress.tls.enabled=false: none',
  );
  t.ok(allows(noTls, 'networking.k8s.io', 'ingresses/status', 'patch'));
  const noIngress = rulesOf(await render(['ingress.enabled=false']), 'traffic-control');
  t.notOk(
    noIngress.some((r) => r.resources.includes('secrets')),
    'no gateway: no Secrets',
  );
  t.notOk(
    noIngress.some((r) => r.resources.includes('ingresses/status')),
    'nor status',
  );
  t.ok(allows(noIngress, 'networking.k8s.io', 'ingresses', 'watch'), 'the model still reads');
});

t.test('ingress gateway: Service 80→8080 and 443→8443, bootstrap, IngressClass', async (t) => {
  const docs = await render();
  const svc = find(docs, 'Service', 'traffic-ingress');
  t.equal(svc.spec.type, 'LoadBalancer');
  t.same(
    (svc.spec.ports as Obj[]).map((p) => [p.port, p.targetPort]),
    [
      [80, 8080],
      [443, 8443],
    ],
  );
  const d = find(docs, 'Deployment', 'traffic-ingress');
  const c = container(d, 'envoy');
  t.equal(c.image, DEFAULT_PROXY_IMAGE, 'the stock, pinned Envoy');
  t.same(c.args.slice(0, 2), ['-c', '/etc/envoy/bootstrap.yaml']);
  t.match(d.spec.template.spec.securityContext, { runAsNonRoot: true, runAsUser: 101 });
  t.equal(d.spec.template.spec.automountServiceAccountToken, false, 'no API access');
  t.same(
    (c.ports as Obj[]).map((p) => p.containerPort),
    [8080, 8443, 15090],
  );
  t.same(c.readinessProbe.httpGet, { path: '/ready', port: 15090 });
  t.equal(d.spec.template.spec.volumes[0].configMap.name, 'traffic-ingress');
  const cls = find(docs, 'IngressClass', 'traffic-manager');
  t.equal(cls.spec.controller, 'traffic-manager.io/ingress-controller');
  t.equal(cls.metadata.annotations, undefined, 'not the default class unless asked');
  const dflt = find(await render(['ingress.defaultClass=true']), 'IngressClass', 'traffic-manager');
  t.equal(dflt.metadata.annotations['ingressclass.kubernetes.io/is-default-class'], 'true');
  const renamed = await render(['ingress.className=edge']);
  t.ok(has(renamed, 'IngressClass', 'edge'));
  t.equal(
    envOf(container(find(renamed, 'Deployment', 'traffic-control'), 'traffic-control'))
      .INGRESS_CLASS,
    'edge',
  );
  const off = await render(['ingress.enabled=false']);
  for (const [kind, name] of [
    ['Deployment', 'traffic-ingress'],
    ['Service', 'traffic-ingress'],
    ['ConfigMap', 'traffic-ingress'],
    ['IngressClass', 'traffic-manager'],
    ['PodDisruptionBudget', 'traffic-ingress'],
  ] as const) {
    t.notOk(has(off, kind, name), `ingress.enabled=false: no ${kind} ${name}`);
  }
});

t.test('tracing: --zipkin-address only when Zipkin is on or an address is given', async (t) => {
  const zipkinArgs = (docs: Obj[]) => [
    ...container(find(docs, 'Deployment', 'traffic-control'), 'traffic-control').args,
    ...(container(find(docs, 'DaemonSet', 'traffic-agent'), 'traffic-agent').args ?? []),
  ];
  const off = await render();
  t.same(
    zipkinArgs(off).filter((a: string) => a.startsWith('--zipkin')),
    [],
  );
  t.notOk(has(off, 'Deployment', 'traffic-zipkin'));
  t.notOk(has(off, 'Deployment', 'traffic-prometheus'));
  const on = await render(ALT_VALUES);
  const want = `--zipkin-address=traffic-zipkin.${NAMESPACE}.svc.cluster.local:9411`;
  t.same(
    zipkinArgs(on).filter((a: string) => a.startsWith('--zipkin')),
    [want, want],
    'traffic-control and the agent',
  );
  const svc = find(on, 'Service', 'traffic-zipkin');
  t.same(
    (svc.spec.ports as Obj[]).map((p) => p.port),
    [9411],
  );
  const external = await render(['tracing.zipkinAddress=collector.tracing:9411']);
  t.same(
    zipkinArgs(external).filter((a: string) => a.startsWith('--zipkin')),
    ['--zipkin-address=collector.tracing:9411', '--zipkin-address=collector.tracing:9411'],
  );
  t.notOk(has(external, 'Deployment', 'traffic-zipkin'), 'an external collector deploys none');
});

t.test('prometheus: scrapes proxies by annotation and our /metrics, reads pods only', async (t) => {
  const docs = await render(ALT_VALUES);
  t.same(rulesOf(docs, 'traffic-prometheus'), [
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
  ]);
  const cm = find(docs, 'ConfigMap', 'traffic-prometheus');
  const { parse } = await import('yaml');
  const config = parse(cm.data['prometheus.yml'] as string) as Obj;
  const jobs = new Map<string, Obj>(
    (config.scrape_configs as Obj[]).map((j) => [j.job_name as string, j]),
  );
  t.same([...jobs.keys()], ['traffic-proxies', 'traffic-ingress', 'traffic-manager']);
  const proxies = jobs.get('traffic-proxies') as Obj;
  t.equal(proxies.metrics_path, '/stats/prometheus');
  t.match(proxies.relabel_configs[0], {
    source_labels: ['__meta_kubernetes_pod_annotation_traffic_envoy_proxy'],
    regex: '.+',
    action: 'keep',
  });
  t.ok(
    (proxies.relabel_configs as Obj[]).some((r) => r.replacement === '${1}:15090'),
    'the stats port',
  );
  const ours = jobs.get('traffic-manager') as Obj;
  t.equal(ours.metrics_path, '/metrics');
  t.equal(ours.relabel_configs[0].regex, 'traffic-control;admin|traffic-agent;metrics');
  const prom = find(docs, 'Deployment', 'traffic-prometheus');
  t.equal(prom.spec.template.spec.serviceAccountName, 'traffic-prometheus');
  t.ok(prom.spec.template.metadata.annotations['checksum/config']);
});
