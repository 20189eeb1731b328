// The kube client factory: which source wins, and clear typed errors when none works.
import t from 'tap';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKubeConfig, makeKubeClients, pickKubeSource } from '../../lib/kube.js';
import { KubeconfigError, hasCode } from '../../lib/errors.js';

function kubeconfig(server: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: c',
    `  cluster: { server: "${server}", insecure-skip-tls-verify: true }`,
    'users:',
    '- name: u',
    '  user: { token: t }',
    'contexts:',
    '- name: x',
    '  context: { cluster: c, user: u, namespace: default }',
    'current-context: x',
    '',
  ].join('\n');
}

const dir = mkdtempSync(join(tmpdir(), 'tm-kube-'));
const flagFile = join(dir, 'flag.yaml');
const envFile = join(dir, 'env.yaml');
writeFileSync(flagFile, kubeconfig('http://127.0.0.1:1111'));
writeFileSync(envFile, kubeconfig('http://127.0.0.1:2222'));

t.test('--kubeconfig wins over KUBECONFIG', async (t) => {
  const saved = process.env.KUBECONFIG;
  process.env.KUBECONFIG = envFile;
  t.teardown(() => {
    process.env.KUBECONFIG = saved;
  });
  t.equal(
    loadKubeConfig({ kubeconfig: flagFile }).getCurrentCluster()?.server,
    'http://127.0.0.1:1111',
  );
  t.equal(loadKubeConfig({}).getCurrentCluster()?.server, 'http://127.0.0.1:2222');
  const clients = makeKubeClients(loadKubeConfig({ kubeconfig: flagFile }));
  t.ok(clients.core && clients.apps && clients.discovery && clients.networking);
});

t.test('in-cluster when the service-account token and KUBERNETES_SERVICE_HOST exist', async (t) => {
  const root = join(dir, 'sa');
  const sa = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
  mkdirSync(sa, { recursive: true });
  writeFileSync(join(sa, 'token'), 'tok');
  writeFileSync(join(sa, 'ca.crt'), '');
  writeFileSync(join(sa, 'namespace'), 'traffic-system');
  const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
  t.equal(pickKubeSource({ env, serviceAccountRoot: root }), 'in-cluster');
  t.equal(pickKubeSource({ env: {}, serviceAccountRoot: root }), 'default-file');
  t.equal(
    pickKubeSource({ env: { ...env, KUBECONFIG: envFile }, serviceAccountRoot: root }),
    'env',
  );
  const saved = { ...process.env };
  Object.assign(process.env, env);
  delete process.env.KUBECONFIG;
  t.teardown(() => {
    process.env = saved;
  });
  const kc = loadKubeConfig({ serviceAccountRoot: root });
  t.equal(kc.getCurrentCluster()?.server, 'https://10.96.0.1:443');
});

t.test('a missing kubeconfig file is a KubeconfigError naming the flag', async (t) => {
  try {
    loadKubeConfig({ kubeconfig: join(dir, 'nope.yaml') });
    t.fail('should throw');
  } catch (err) {
    t.ok(err instanceof KubeconfigError);
    t.ok(hasCode(err, 'TM_KUBECONFIG'));
    t.match((err as Error).message, /--kubeconfig .*nope\.yaml/);
  }
});
