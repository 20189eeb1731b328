// The admin API and the CLIs around it: readiness, metrics that move with real streams,
// config_dump and syncz, envoy-config's output and exit codes (never hanging), and the
// traffic-control binary's start, readiness and clean SIGTERM shutdown.
import t, { type Test } from 'tap';
import { execa } from 'execa';
import { createServer } from 'node:net';
import { pino } from 'pino';
import { ControlPlane } from '../../control/plane.js';
import { Snapshot } from '../../control/xds/snapshot.js';
import { TYPE } from '../../control/xds/types.js';
import { sotwClient } from '../support/ads-client.js';
import { splitInput } from '../support/xds-fixtures.js';
import { startFake } from '../fake-kube/testing.js';

const NODE = 'ratings-v1-5f9699cfdf-7wq4l.default';
const CLI = ['--import', 'tsx', 'tools/envoy-config/main.ts'];

async function plane(t: Test) {
  const p = new ControlPlane({
    log: pino({ level: 'silent' }),
    host: '127.0.0.1',
    xdsPort: 0,
    adminPort: 0,
  });
  const ports = await p.start();
  t.teardown(() => p.stop());
  return { p, ...ports, base: `http://127.0.0.1:${ports.adminPort}` };
}

t.test('health, readiness and metrics', async (t) => {
  const { p, xdsPort, base } = await plane(t);
  t.equal((await fetch(`${base}/healthz`)).status, 200);
  const notReady = await fetch(`${base}/readyz`);
  t.equal(notReady.status, 503);
  t.match(await notReady.text(), /not ready: starting/);
  p.setReady();
  t.equal((await fetch(`${base}/readyz`)).status, 200);

  p.cache.set(NODE, Snapshot.create(splitInput('svc', { a: 1, b: 2 }, { a: 1, b: 1 })));
  const c = sotwClient(xdsPort);
  t.teardown(() => c.close());
  c.send({ node: { id: NODE }, type_url: TYPE.cluster });
  const r = await c.next();
  c.send({ type_url: TYPE.cluster, version_info: r.version_info, response_nonce: r.nonce });
  await new Promise((res) => setTimeout(res, 100));
  const metrics = await (await fetch(`${base}/metrics`)).text();
  t.match(metrics, /traffic_control_connected_proxies\{kind="sotw"\} 1/);
  t.match(metrics, /traffic_control_xds_pushes_total\{type="cluster"\} 1/);
  t.match(metrics, /traffic_control_xds_acks_total\{type="cluster"\} 1/);
  t.match(metrics, /traffic_control_proxy_convergence_seconds_count 1/);
  const sync = (await (await fetch(`${base}/debug/syncz`)).json()) as {
    nodeId: string;
    state: Record<string, string>;
  }[];
  t.same(
    sync.map((s) => [s.nodeId, s.state.cluster]),
    [[NODE, 'SYNCED']],
  );
});

t.test('envoy-config: YAML with sync header, JSON, unknown node, bad type, list', async (t) => {
  const { p, base, adminPort } = await plane(t);
  p.cache.set(NODE, Snapshot.create(splitInput('svc', { a: 1, b: 2 }, { a: 3, b: 1 })));
  const server = ['--server', `127.0.0.1:${adminPort}`];
  const yaml = await execa('node', [...CLI, '--nodeId', NODE, ...server]);
  t.match(yaml.stdout, new RegExp(`# node ${NODE} \\(not connected\\)`));
  t.match(yaml.stdout, /# cluster\s+NOT SENT/);
  t.match(yaml.stdout, /connect_timeout: 1s/, 'durations read as in Envoy docs');
  t.match(yaml.stdout, /type: EDS/, 'enum names');
  t.match(
    yaml.stdout,
    /"@type": type\.googleapis\.com\/envoy\.extensions\.filters\.network\.http_connection_manager/,
  );
  const json = await execa('node', [
    ...CLI,
    '--nodeId',
    NODE,
    '--type',
    'route',
    '-o',
    'json',
    ...server,
  ]);
  const parsed = JSON.parse(json.stdout) as { types: Record<string, { resources: unknown[] }> };
  t.same(Object.keys(parsed.types), ['route']);
  const unknown = await execa('node', [...CLI, '--nodeId', 'nope.default', ...server], {
    reject: false,
  });
  t.equal(unknown.exitCode, 2);
  t.match(unknown.stderr, /no proxy with node id "nope\.default"/);
  t.match(unknown.stderr, new RegExp(`known node ids: ${NODE}`));
  const badType = await execa('node', [...CLI, '--nodeId', NODE, '--type', 'runtime', ...server], {
    reject: false,
  });
  t.equal(badType.exitCode, 2);
  t.match(badType.stderr, /unknown type "runtime"/);
  const list = await execa('node', [...CLI, '--list', ...server]);
  t.match(list.stdout, new RegExp(`${NODE}\\s+offline`));
  const dump = await fetch(
    `${base}/debug/config_dump?node=${NODE}&type=cluster&resource=cluster_b`,
  );
  const body = (await dump.json()) as { types: { cluster: { resources: { name: string }[] } } };
  t.same(
    body.types.cluster.resources.map((r) => r.name),
    ['cluster_b'],
    '--resource filters',
  );
});

t.test('envoy-config never hangs on a server that does not answer', async (t) => {
  const silent = createServer(() => {});
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  t.teardown(() => silent.close());
  const port = (silent.address() as { port: number }).port;
  const started = Date.now();
  const r = await execa(
    'node',
    [...CLI, '--nodeId', NODE, '--server', `127.0.0.1:${port}`, '--timeout', '500'],
    { reject: false, timeout: 20_000 },
  );
  t.equal(r.exitCode, 1);
  t.match(r.stderr, /no answer within 500 ms/);
  t.ok(Date.now() - started < 15_000, 'returned on its own');
  const refused = await execa('node', [...CLI, '--nodeId', NODE, '--server', '127.0.0.1:1'], {
    reject: false,
  });
  t.equal(refused.exitCode, 1);
  t.match(refused.stderr, /cannot read traffic-control at 127\.0\.0\.1:1/);
});

t.test('traffic-control binary: help, bad flags, start, ready, SIGTERM', async (t) => {
  const help = await execa('node', ['--import', 'tsx', 'control/main.ts', '--help']);
  t.match(help.stdout, /--xds-port N/);
  const bad = await execa('node', ['--import', 'tsx', 'control/main.ts', '--xds-port', 'abc'], {
    reject: false,
  });
  t.equal(bad.exitCode, 2);
  t.match(bad.stderr, /--xds-port must be an integer/);
  const { kubeconfig } = await startFake(t);
  const proc = execa(
    'node',
    [
      '--import',
      'tsx',
      'control/main.ts',
      '--xds-port',
      '0',
      '--admin-port',
      '0',
      '--kubeconfig',
      kubeconfig,
    ],
    { reject: false, buffer: false },
  );
  t.teardown(() => proc.kill('SIGKILL'));
  const ports = await new Promise<{ xdsPort: number; adminPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no start line')), 20_000);
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      for (const line of out.split('\n')) {
        if (!line.includes('traffic-control started')) continue;
        clearTimeout(timer);
        resolve(JSON.parse(line) as { xdsPort: number; adminPort: number });
      }
    });
  });
  t.ok(ports.xdsPort > 0 && ports.adminPort > 0, 'logs its bound ports as JSON');
  let ready = 0;
  for (let i = 0; i < 200 && ready !== 200; i++) {
    ready = (await fetch(`http://127.0.0.1:${ports.adminPort}/readyz`)).status;
    if (ready !== 200) await new Promise((r) => setTimeout(r, 50));
  }
  t.equal(ready, 200, 'ready once the cluster model synced');
  proc.kill('SIGTERM');
  const done = await proc;
  t.equal(done.exitCode, 0, 'exits 0 on SIGTERM');
});
