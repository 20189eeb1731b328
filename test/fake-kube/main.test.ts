// The standalone server: `npm run fake-kube -- --port 0 --kubeconfig <file>`.
import { execa } from 'execa';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { ensureBinaries } from '../support/binaries.js';
import { waitFor } from './testing.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

t.test('npm run fake-kube serves until SIGTERM and exits 0', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fake-kube-main-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const kubeconfig = join(dir, 'out.yaml');
  const child = execa(
    'npm',
    [
      'run',
      '--silent',
      'fake-kube',
      '--',
      '--port',
      '0',
      '--kubeconfig',
      kubeconfig,
      '--kubelet-node',
      'node-x',
    ],
    {
      cwd: root,
      reject: false,
      all: true,
    },
  );
  let serverPid = 0;
  t.teardown(() => {
    // On a failure part-way, stop the server process too: killing npm alone would orphan it.
    if (serverPid !== 0) {
      try {
        process.kill(serverPid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let output = '';
  child.all?.on('data', (d: Buffer) => (output += d.toString()));
  const [, url, pid] = await waitFor(
    'the listening line',
    () => /fake-kube listening on (http:\/\/127\.0\.0\.1:\d+) \(pid (\d+)\)/.exec(output),
    30_000,
  );
  serverPid = Number(pid);
  await waitFor('the usage hint', () =>
    output.includes(`KUBECONFIG=${kubeconfig} kubectl get pods -A`),
  );
  t.ok(existsSync(kubeconfig));
  t.not(url, 'http://127.0.0.1:0', 'a real port was chosen and printed');
  const { kubectl } = ensureBinaries();
  const env = { KUBECACHEDIR: join(dir, 'cache'), HOME: dir };
  const ns = await execa(kubectl, ['--kubeconfig', kubeconfig, 'get', 'ns'], {
    env,
    reject: false,
  });
  t.equal(ns.exitCode, 0, ns.stderr);
  t.match(ns.stdout, /default\s+Active/);
  t.match(ns.stdout, /kube-system\s+Active/);
  const nodes = await execa(kubectl, ['--kubeconfig', kubeconfig, 'get', 'nodes'], {
    env,
    reject: false,
  });
  t.match(nodes.stdout, /node-x\s+Ready/, '--kubelet-node registers the node');
  // npm does not pass signals on to the script's process: signal the server itself, as a
  // supervisor would. npm then exits with the server's status.
  const started = Date.now();
  process.kill(serverPid, 'SIGTERM');
  const result = await child;
  serverPid = 0;
  t.equal(result.exitCode, 0, output);
  t.match(output, 'SIGTERM, shutting down');
  t.ok(Date.now() - started < 5000, 'prompt shutdown');
});
