// The containerd runtime's pure parts: image reference normalisation, chain ids, the runtime
// choice, the /proc parsers of the netns cross-check, status words, the OCI spec, log rotation.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ago, toProxyInfo } from '../../agent/runtime/containerd-info.js';
import { normalizeImageRef } from '../../agent/runtime/containerd/image-ref.js';
import { readLogs, rotateLog } from '../../agent/runtime/containerd/logs.js';
import { chainIds, parseConfig } from '../../agent/runtime/containerd/manifest.js';
import { expandIpv6, fibHasLocal } from '../../agent/runtime/containerd/netns-check.js';
import { cpuQuotaOf, proxySpec } from '../../agent/runtime/containerd/spec.js';
import { kindFromRuntimeVersion, parseRuntimeChoice } from '../../agent/runtime/select.js';

t.test('image references as containerd names them', async (t) => {
  t.equal(normalizeImageRef('envoyproxy/envoy:v1.32.3'), 'docker.io/envoyproxy/envoy:v1.32.3');
  t.equal(normalizeImageRef('busybox'), 'docker.io/library/busybox:latest');
  t.equal(normalizeImageRef('127.0.0.1:5000/a/b:1'), '127.0.0.1:5000/a/b:1');
  t.equal(normalizeImageRef('localhost/x'), 'localhost/x:latest');
  const d = `sha256:${'a'.repeat(64)}`;
  t.equal(normalizeImageRef(`quay.io/x/y@${d}`), `quay.io/x/y@${d}`);
  t.throws(() => normalizeImageRef('a b'), /invalid image/);
  t.throws(() => normalizeImageRef('x/../y:1'), /invalid image/);
});

t.test('chain ids and image config', async (t) => {
  const a = `sha256:${'1'.repeat(64)}`;
  const b = `sha256:${'2'.repeat(64)}`;
  const [c0, c1] = chainIds([a, b]);
  t.equal(c0, a, 'the first chain id is the first diff id');
  t.match(c1, /^sha256:[0-9a-f]{64}$/);
  t.not(c1, b);
  const cfg = parseConfig(
    Buffer.from(
      JSON.stringify({ config: { Env: ['A=1'], Entrypoint: ['/e'] }, rootfs: { diff_ids: [a] } }),
    ),
  );
  t.same(cfg, { env: ['A=1'], entrypoint: ['/e'], cmd: [], workingDir: '/', diffIds: [a] });
  t.throws(() => parseConfig(Buffer.from('{"rootfs":{"diff_ids":["nope"]}}')), /invalid digest/);
  t.throws(() => parseConfig(Buffer.from('[]')), /malformed image/);
});

t.test('runtime choice', async (t) => {
  t.same(parseRuntimeChoice(undefined), { valid: true, result: 'auto' });
  t.same(parseRuntimeChoice('containerd'), { valid: true, result: 'containerd' });
  t.equal(parseRuntimeChoice('cri-o').valid, false);
  t.same(kindFromRuntimeVersion('containerd://1.6.20'), { valid: true, result: 'containerd' });
  t.same(kindFromRuntimeVersion('docker://20.10.24'), { valid: true, result: 'docker' });
  t.match(JSON.stringify(kindFromRuntimeVersion('cri-o://1.29.0')), /not supported/);
  t.equal(kindFromRuntimeVersion(undefined).valid, false);
});

t.test('/proc parsers of the netns cross-check', async (t) => {
  const fib =
    'Main:\n  +-- 10.1.0.0/24 2 0 2\n     |-- 10.1.0.7\n        /32 host LOCAL\n     |-- 10.1.0.255\n        /32 link BROADCAST\n';
  t.ok(fibHasLocal(fib, '10.1.0.7'));
  t.notOk(fibHasLocal(fib, '10.1.0.255'), 'a broadcast address is not local');
  t.notOk(fibHasLocal(fib, '10.1.0.8'));
  t.equal(expandIpv6('fe80::1'), 'fe800000000000000000000000000001');
  t.equal(expandIpv6('::1'), '00000000000000000000000000000001');
});

t.test('status words and the proxy spec', async (t) => {
  t.equal(ago(500), 'Less than a second');
  t.equal(ago(90_000), '2 minutes');
  const c = {
    id: 'a'.repeat(64),
    labels: {
      'traffic.envoy.pod': 'p',
      'traffic.envoy.namespace': 'n',
      'traffic.envoy.pod-uid': 'u',
    },
    image: 'i',
    snapshotter: 'overlayfs',
    snapshot_key: 'a'.repeat(64),
    created_at: { seconds: 100, nanos: 0 },
  };
  t.match(toProxyInfo(c, undefined, 200_000), { state: 'exited', status: 'Exited (no task)' });
  const exited = {
    container_id: '',
    id: c.id,
    pid: 0,
    status: 'STOPPED' as const,
    exit_status: 1,
    exited_at: { seconds: 190, nanos: 0 },
  };
  t.match(toProxyInfo(c, exited, 200_000), {
    state: 'exited',
    status: 'Exited (1) 10 seconds ago',
  });
  t.equal(toProxyInfo({ ...c, labels: {} }, undefined), undefined, 'not ours');
  const spec = proxySpec({
    args: ['--config-yaml', '{}'],
    image: { env: [], entrypoint: ['/envoy'], cmd: ['x'], workingDir: '/', diffIds: [] },
    ...{ uid: 1337, gid: 1337, hostname: 'p', netnsPath: '/run/netns/cni-1', cgroupsPath: '/tm/x' },
    ...{ memoryBytes: 1 << 20, cpuQuota: cpuQuotaOf(5e8), resolvConf: '/var/lib/s/resolv.conf' },
  }) as { process: { args: string[]; env: string[] }; mounts: Array<{ source: string }> };
  t.same(spec.process.args, ['/envoy', '--config-yaml', '{}'], 'entrypoint + the given args');
  t.match(spec.process.env[0], /^PATH=/);
  t.ok(
    spec.mounts.some((m) => m.source === '/var/lib/s/hosts'),
    'the sandbox hosts file',
  );
  t.equal(cpuQuotaOf(5e8), 50_000);
});

t.test('copy-truncate log rotation and reading', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tm-logs-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const f = join(dir, 'x.log');
  await writeFile(f, 'one\ntwo\n');
  t.equal(await rotateLog(f, 4), true, 'rotated past the limit');
  t.equal(await readFile(f, 'utf8'), '', 'the live file is truncated in place');
  await writeFile(f, 'three\n', { flag: 'a' });
  let out = '';
  for await (const ch of await readLogs(f, { follow: false })) out += String(ch);
  t.equal(out, 'one\ntwo\nthree\n', 'rotated files first');
  out = '';
  for await (const ch of await readLogs(f, { follow: false, tail: 2 })) out += String(ch);
  t.equal(out, 'two\nthree\n', '--tail');
});
