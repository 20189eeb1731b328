// `npm run demo`: a canary on a fake cluster, driven exactly as a user would, no cluster needed.
// Starts the fake Kubernetes API (with a simulated kubelet on loopback addresses),
// traffic-control, a bookinfo-style reviews Service with v1 and v2, gRPC backends for its pods
// and a proxyless xDS client; then walks 100/0 → 80/20 → 50/50 → 0/100 with `kubectl label`,
// printing each command, the split observed over real calls and the time from the label change
// to the client's ACK. `--keep` leaves the fake cluster and traffic-control running.
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { pino } from 'pino';
import { TrafficControl } from '../control/traffic-control.js';
import { createFakeKube } from './fake-kube/server.js';
import { ensureBinaries } from './support/binaries.js';
import { backendsFor, converged, fingerprint, randomLoopbackCidr } from './support/mesh.js';
import { manifest, NODE, PORT, TARGET } from './support/reviews-app.js';
import { remoteXdsClient } from './support/xds-client-process.js';

const { values } = parseArgs({
  options: { keep: { type: 'boolean', default: false }, calls: { type: 'string', default: '400' } },
});
const CALLS = Math.min(Math.max(Number(values.calls) || 400, 50), 5000);
const STEPS: [number, number][] = [
  [100, 0],
  [80, 20],
  [50, 50],
  [0, 100],
];

type Cleanup = () => unknown;
const cleanups: Cleanup[] = [];
const teardown = { teardown: (fn: Cleanup) => void cleanups.push(fn) };

function bar(n: number, total: number): string {
  const width = 40;
  const fill = Math.round((n / total) * width);
  return `${'█'.repeat(fill)}${'·'.repeat(width - fill)}`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'traffic-demo-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const fake = await createFakeKube({
    kubelet: { nodeName: 'demo-node', podCidr: randomLoopbackCidr() },
  });
  cleanups.push(() => fake.close());
  const kubeconfig = fake.writeKubeconfig(join(dir, 'kubeconfig.yaml'));
  const { kubectl: bin } = ensureBinaries();
  const env = { KUBECACHEDIR: join(dir, 'cache'), HOME: dir };
  const kubectl = async (args: string[], input?: string): Promise<string> => {
    console.log(`  $ kubectl ${args.join(' ')}`);
    const r = await execa(bin, ['--kubeconfig', kubeconfig, ...args], {
      env,
      input,
      reject: false,
    });
    if (r.exitCode !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  const tc = new TrafficControl({
    kc,
    log: pino({ level: 'silent' }),
    host: '127.0.0.1',
    xdsPort: 0,
    adminPort: 0,
  });
  const ports = await tc.start();
  cleanups.push(() => tc.stop());
  console.log(
    `\nfake cluster at ${fake.url}; traffic-control xDS on 127.0.0.1:${ports.xdsPort}, admin on :${ports.adminPort}\n`,
  );
  console.log('1. deploy the reviews service with v1 and v2 (one pod each)');
  await kubectl(['apply', '-f', '-'], manifest());
  const mesh = { kc, tc };
  await backendsFor(teardown, mesh, 'app=reviews', 2, PORT);
  console.log(await kubectl(['get', 'pods', '-o', 'wide']));
  console.log('\n2. let proxies route it: traffic.port.9080=grpc');
  await kubectl(['label', 'svc', 'reviews', 'traffic.port.9080=grpc']);
  const client = await remoteXdsClient(teardown, ports.xdsPort, NODE, TARGET);
  await client.tally(1); // connects: the client subscribes on its first call
  console.log(`   a proxyless gRPC client (node ${NODE}) calls xds:///${TARGET}\n`);
  console.log('3. canary by labels:');
  for (const [v1, v2] of STEPS) {
    const before = fingerprint(mesh, NODE);
    const started = Date.now();
    await kubectl([
      'label',
      'svc',
      'reviews',
      '--overwrite',
      `traffic.version.v1.weight=${v1}`,
      `traffic.version.v2.weight=${v2}`,
    ]);
    const { lastAckAt } = await converged(mesh, NODE, before);
    const ms = lastAckAt - started;
    process.stdout.write(
      `     converged in ${ms.toFixed(0)} ms (kubectl label → last client ACK); sending ${CALLS} calls… `,
    );
    const got = await client.tally(CALLS);
    console.log('done');
    for (const v of ['v1', 'v2']) {
      const n = got[v] ?? 0;
      console.log(
        `     ${v}  ${bar(n, CALLS)} ${String(n).padStart(5)}  ${((100 * n) / CALLS).toFixed(1)}%`,
      );
    }
    const failed = CALLS - (got.v1 ?? 0) - (got.v2 ?? 0);
    console.log(`     failed calls: ${failed}\n`);
  }
  console.log('4. what traffic-control serves that client:');
  const cfg = await execa('node', [
    '--import',
    'tsx',
    'tools/envoy-config/main.ts',
    '--nodeId',
    NODE,
    '--type',
    'route',
    '--server',
    `127.0.0.1:${ports.adminPort}`,
  ]);
  console.log(cfg.stdout.split('\n').slice(0, 24).join('\n'));
  if (values.keep) {
    console.log(
      `\nThe fake cluster and traffic-control keep running (Ctrl-C to stop):\n  export KUBECONFIG=${kubeconfig}\n  kubectl get pods,svc,endpointslices\n  node --import tsx tools/envoy-config/main.ts --list --server 127.0.0.1:${ports.adminPort}`,
    );
    await new Promise<void>((resolve) => process.once('SIGINT', resolve));
  }
}

async function cleanup(): Promise<void> {
  for (const fn of cleanups.reverse()) await fn();
}

main()
  .then(cleanup)
  .then(() => process.exit(0))
  .catch(async (err: unknown) => {
    console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
    await cleanup();
    process.exit(1);
  });
