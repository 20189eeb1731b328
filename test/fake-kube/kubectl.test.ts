// The real kubectl 1.33 against the fake.
import * as k8s from '@kubernetes/client-node';
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { startFake, waitFor } from './testing.js';

const manifest = (image: string): string => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${image}
        ports:
        - {name: http, containerPort: 8080}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
`;

const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n';

t.test('kubectl against the fake', async (t) => {
  const h = await startFake(t);
  const { fake, kubectl } = h;
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await kubectl(args, { input });
    t.equal(r.exitCode, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  await t.test('create -f namespace (JSON POST)', async (t) => {
    t.match(await ok(['create', '-f', '-'], namespace), 'namespace/shop created');
    t.equal(fake.get('ns', 'shop')?.kind, 'Namespace');
  });

  await t.test('apply -f with default validation creates', async (t) => {
    const out = await ok(['apply', '-f', '-'], manifest('nginx:1.27'));
    t.match(out, 'deployment.apps/web created');
    t.match(out, 'service/web created');
    const post = fake.requests.find(
      (r) => r.method === 'POST' && r.path === '/apis/apps/v1/namespaces/shop/deployments',
    );
    t.equal(post?.query.get('fieldValidation'), 'Strict', 'server-side validation was used');
    t.ok(
      fake.requests.some((r) => r.path === '/openapi/v3'),
      'openapi v3 was consulted',
    );
    const d = fake.get('deploy', 'web', 'shop');
    t.equal((d?.metadata as Record<string, unknown>).generation, 1);
    t.ok(fake.get('svc', 'web', 'shop'));
  });

  await t.test('apply unchanged sends no PATCH', async (t) => {
    const before = fake.requests.length;
    const out = await ok(['apply', '-f', '-'], manifest('nginx:1.27'));
    t.match(out, 'deployment.apps/web unchanged');
    t.match(out, 'service/web unchanged');
    t.notOk(fake.requests.slice(before).some((r) => r.method === 'PATCH'));
  });

  await t.test('apply changed uses a strategic merge patch', async (t) => {
    const before = fake.requests.length;
    t.match(
      await ok(['apply', '-f', '-'], manifest('nginx:1.28')),
      'deployment.apps/web configured',
    );
    const patch = fake.requests
      .slice(before)
      .find((r) => r.method === 'PATCH' && r.path.endsWith('/deployments/web'));
    t.equal(patch?.contentType, 'application/strategic-merge-patch+json');
    const d = fake.get('deploy', 'web', 'shop') as {
      metadata: { generation: number };
      spec: { template: { spec: { containers: { image: string; ports: unknown[] }[] } } };
    };
    t.equal(d.spec.template.spec.containers[0].image, 'nginx:1.28');
    t.equal(d.spec.template.spec.containers.length, 1);
    t.equal(d.spec.template.spec.containers[0].ports.length, 1);
    t.equal(d.metadata.generation, 2);
  });

  await t.test('label and unlabel a deployment', async (t) => {
    t.match(
      await ok(['-n', 'shop', 'label', 'deployment', 'web', 'traffic.envoy.enabled=true']),
      'deployment.apps/web labeled',
    );
    const labelled = fake.get('deploy', 'web', 'shop')?.metadata as {
      labels?: Record<string, string>;
    };
    t.equal(labelled.labels?.['traffic.envoy.enabled'], 'true');
    const patch = fake.requests.filter((r) => r.method === 'PATCH').at(-1);
    t.equal(patch?.contentType, 'application/merge-patch+json');
    t.equal(patch?.query.get('fieldManager'), 'kubectl-label');
    t.match(
      await ok(['-n', 'shop', 'label', 'deployment', 'web', 'traffic.envoy.enabled-']),
      'deployment.apps/web unlabeled',
    );
    const unlabelled = fake.get('deploy', 'web', 'shop')?.metadata as {
      labels?: Record<string, string>;
    };
    t.equal(unlabelled.labels?.['traffic.envoy.enabled'], undefined);
  });

  await t.test('annotate', async (t) => {
    t.match(await ok(['-n', 'shop', 'annotate', 'deploy', 'web', 'owner=team-a']), 'annotated');
    const meta = fake.get('deploy', 'web', 'shop')?.metadata as {
      annotations: Record<string, string>;
    };
    t.equal(meta.annotations.owner, 'team-a');
    t.ok(
      meta.annotations['kubectl.kubernetes.io/last-applied-configuration'],
      'apply annotation kept',
    );
  });

  await t.test('get -o json and -o yaml print the object', async (t) => {
    const json = JSON.parse(await ok(['-n', 'shop', 'get', 'deploy', 'web', '-o', 'json']));
    t.equal(json.kind, 'Deployment');
    t.equal(json.apiVersion, 'apps/v1');
    t.equal(json.metadata.annotations.owner, 'team-a');
    const yaml = parseYaml(await ok(['-n', 'shop', 'get', 'deployment', 'web', '-o', 'yaml']));
    t.equal(yaml.metadata.uid, json.metadata.uid);
    t.equal(yaml.spec.template.spec.containers[0].image, 'nginx:1.28');
  });

  await t.test('get pods -A prints the Table columns', async (t) => {
    await fake.settle();
    const out = await ok(['get', 'pods', '-A']);
    const [header, ...rows] = out.trim().split('\n');
    t.match(header, /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    t.equal(rows.length, 2, 'two replicas of the new template');
    for (const row of rows)
      t.match(row, /^shop\s+web-[a-z0-9]+-[a-z0-9]{5}\s+0\/1\s+Pending\s+0\s+\d+s$/);
    const wide = await ok(['get', 'pods', '-n', 'shop', '-o', 'wide']);
    t.match(wide.split('\n')[0], /IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/);
  });

  await t.test('patch pod status through the status subresource', async (t) => {
    const pod = fake.list('pods', { namespace: 'shop' })[0];
    const name = (pod.metadata as { name: string }).name;
    await ok([
      '-n',
      'shop',
      'patch',
      'pod',
      name,
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"podIP":"10.1.2.3","phase":"Running"}}',
    ]);
    const status = fake.get('pods', name, 'shop')?.status as {
      podIP: string;
      phase: string;
      podIPs: unknown;
    };
    t.equal(status.podIP, '10.1.2.3');
    t.equal(status.phase, 'Running');
    t.same(status.podIPs, [{ ip: '10.1.2.3' }], 'podIPs follows podIP as a kubelet would write it');
    t.match(
      await ok(['-n', 'shop', 'get', 'pod', name, '-o', 'wide']),
      /Running\s+0\s+\S+\s+10\.1\.2\.3/,
    );
    const ready =
      '{"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"ContainersReady","status":"True"}],"containerStatuses":[{"name":"web","ready":true,"restartCount":0,"image":"nginx:1.28","imageID":"","state":{"running":{}}}]}}';
    await ok([
      '-n',
      'shop',
      'patch',
      'pod',
      name,
      '--subresource=status',
      '--type=strategic',
      '-p',
      ready,
    ]);
    t.match(await ok(['-n', 'shop', 'get', 'pod', name]), /1\/1\s+Running/);
    const spec = await kubectl([
      '-n',
      'shop',
      'patch',
      'pod',
      name,
      '--type=merge',
      '-p',
      '{"status":{"phase":"Failed"}}',
    ]);
    t.equal(spec.exitCode, 0);
    t.equal(
      (fake.get('pods', name, 'shop')?.status as { phase: string }).phase,
      'Running',
      'main-resource writes keep status',
    );
  });

  await t.test('describe pod lists an Event created with client-node', async (t) => {
    const pod = fake.list('pods', { namespace: 'shop' })[0] as {
      metadata: { name: string; uid: string };
    };
    const core = h.kc.makeApiClient(k8s.CoreV1Api);
    const when = new Date(Date.now() - 5000);
    await core.createNamespacedEvent({
      namespace: 'shop',
      body: {
        metadata: { name: `${pod.metadata.name}.test1` },
        involvedObject: {
          kind: 'Pod',
          apiVersion: 'v1',
          namespace: 'shop',
          name: pod.metadata.name,
          uid: pod.metadata.uid,
        },
        reason: 'ProxyInjected',
        message: 'envoy is ready',
        type: 'Normal',
        source: { component: 'traffic-agent' },
        firstTimestamp: when,
        lastTimestamp: when,
        count: 1,
      },
    });
    const out = await ok(['-n', 'shop', 'describe', 'pod', pod.metadata.name]);
    t.match(out, /Events:\s+Type\s+Reason\s+Age\s+From\s+Message/);
    t.match(out, /Normal\s+ProxyInjected\s+\S+\s+traffic-agent\s+envoy is ready/);
    const search = fake.requests.filter((r) => r.path === '/api/v1/namespaces/shop/events').at(-1);
    t.match(search?.query.get('fieldSelector') ?? '', `involvedObject.uid=${pod.metadata.uid}`);
  });

  await t.test('get with -l and --field-selector', async (t) => {
    const name = (
      fake.list('pods', { namespace: 'shop', fieldSelector: 'status.phase=Running' })[0]
        .metadata as { name: string }
    ).name;
    const byLabel = await ok(['get', 'pods', '-A', '-l', 'app=web', '-o', 'name']);
    t.equal(byLabel.trim().split('\n').length, 2);
    t.equal((await ok(['get', 'pods', '-A', '-l', 'app!=web', '-o', 'name'])).trim(), '');
    t.equal(
      (
        await ok([
          'get',
          'pods',
          '-n',
          'shop',
          '--field-selector',
          'status.phase=Running',
          '-o',
          'name',
        ])
      ).trim(),
      `pod/${name}`,
    );
    t.equal(
      (
        await ok([
          'get',
          'pods',
          '-n',
          'shop',
          '--field-selector',
          'status.phase!=Running',
          '-o',
          'name',
        ])
      )
        .trim()
        .split('\n').length,
      1,
    );
    const bad = await kubectl(['get', 'pods', '--field-selector', 'spec.bogus=x']);
    t.not(bad.exitCode, 0);
    t.match(bad.stderr, 'field label not supported: spec.bogus');
  });

  await t.test('get -w streams Table rows for changes', async (t) => {
    const { kubectl: bin } = await import('../support/binaries.js').then((m) => m.ensureBinaries());
    const { execa } = await import('execa');
    const child = execa(
      bin,
      ['--kubeconfig', h.kubeconfig, '-n', 'shop', 'get', 'configmaps', '-w'],
      {
        env: { KUBECACHEDIR: `${h.dir}/cache`, HOME: h.dir },
        reject: false,
      },
    );
    let seen = '';
    child.stdout?.on('data', (d: Buffer) => (seen += d.toString()));
    await waitFor('the watch to open', () =>
      fake.requests.some((r) => r.path.endsWith('/configmaps') && r.query.get('watch') === 'true'),
    );
    fake.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'live', namespace: 'shop' },
      data: { a: '1' },
    });
    await waitFor('the new row', () => /live\s+1\s+\d+s/.test(seen));
    child.kill();
    await child;
    t.equal(seen.match(/NAME\s+DATA\s+AGE/g)?.length, 1, 'one header line');
  });

  await t.test('scale uses the scale subresource', async (t) => {
    t.match(
      await ok(['-n', 'shop', 'scale', 'deploy', 'web', '--replicas=3']),
      'deployment.apps/web scaled',
    );
    const patch = fake.requests.filter((r) => r.method === 'PATCH').at(-1);
    t.equal(patch?.path, '/apis/apps/v1/namespaces/shop/deployments/web/scale');
    t.equal((fake.get('deploy', 'web', 'shop')?.spec as { replicas: number }).replicas, 3);
    await fake.settle();
    t.equal(fake.list('pods', { namespace: 'shop' }).length, 3);
    const scale = JSON.parse(
      await ok([
        '-n',
        'shop',
        'get',
        '--raw',
        '/apis/apps/v1/namespaces/shop/deployments/web/scale',
      ]),
    );
    t.same([scale.kind, scale.spec.replicas, scale.status.selector], ['Scale', 3, 'app=web']);
  });

  await t.test('delete removes the objects', async (t) => {
    const out = await ok(['delete', '-f', '-'], manifest('nginx:1.28'));
    t.match(out, 'deployment.apps "web" deleted');
    t.match(out, 'service "web" deleted');
    t.equal(fake.get('deploy', 'web', 'shop'), undefined);
    await fake.settle();
    t.same(fake.list('rs', { namespace: 'shop' }), [], 'replica sets garbage collected');
    t.same(fake.list('pods', { namespace: 'shop' }), [], 'pods garbage collected');
    t.same(fake.list('endpointslices', { namespace: 'shop' }), [], 'slices garbage collected');
    const gone = await kubectl(['-n', 'shop', 'get', 'deploy', 'web']);
    t.not(gone.exitCode, 0);
    t.match(gone.stderr, 'Error from server (NotFound): deployments.apps "web" not found');
  });
});
