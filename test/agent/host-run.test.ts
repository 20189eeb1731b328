// --host-run-dir: the mapping of host paths under /run and /var/run into the agent's mount of the
// host's /run (properties over generated paths), the socket defaults it sets, the flag and its
// environment variable, and both runtimes opening the mapped netns path (stub APIs; the real
// Docker engine is in agent-host-run.test.ts).
import type Docker from 'dockerode';
import fc from 'fast-check';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import t from 'tap';
import { AGENT_FLAGS, runtimeFromFlags } from '../../agent/flags.js';
import type { ContainerdApi } from '../../agent/runtime/containerd/api.js';
import { findPodSandbox } from '../../agent/runtime/containerd/sandbox.js';
import { DockerRuntime } from '../../agent/runtime/docker.js';
import {
  defaultContainerdAddress,
  defaultDockerHost,
  hostPathMap,
  hostRunPath,
  validHostRunDir,
} from '../../agent/runtime/host-run.js';
import { kindFromSockets, runtimeSettings } from '../../agent/runtime/select.js';
import { netnsOf } from '../../agent/runtime/types.js';

const DIR = '/host/run';
const segment = fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,15}$/).filter((s) => s !== '.');
const segments = fc.array(segment, { minLength: 1, maxLength: 6 });
const isRun = (s: string[]): boolean => s[0] === 'run' || (s[0] === 'var' && s[1] === 'run');

t.test('--host-run-dir: absolute, no "..", trailing slashes dropped', async (t) => {
  t.equal(validHostRunDir('/host/run'), '/host/run');
  t.equal(validHostRunDir('/host/run/'), '/host/run');
  t.equal(validHostRunDir('/run'), '/run');
  for (const bad of [
    '',
    '/',
    'host/run',
    '/host/../etc',
    '/host/./run',
    '/host run',
    '/h\0st',
    '/a;b',
  ]) {
    t.throws(() => validHostRunDir(bad), { code: 'TM_INVALID_ARGUMENT' }, JSON.stringify(bad));
  }
  t.throws(() => validHostRunDir(`/${'a'.repeat(201)}`), { code: 'TM_INVALID_ARGUMENT' });
});

t.test('host paths under /run and /var/run are opened under the mount', async (t) => {
  t.equal(hostRunPath(DIR, '/var/run/docker/netns/5f2c'), '/host/run/docker/netns/5f2c');
  t.equal(hostRunPath(DIR, '/run/netns/cni-1234'), '/host/run/netns/cni-1234');
  t.equal(hostRunPath(DIR, '/run'), '/host/run');
  t.equal(hostRunPath(DIR, '/runtime/x'), '/runtime/x', 'a prefix of a name is not the dir');
  t.equal(hostRunPath(DIR, '/var/runner/x'), '/var/runner/x');
  t.equal(hostRunPath(DIR, '/proc/42/ns/net'), '/proc/42/ns/net');
  t.equal(hostRunPath(undefined, '/var/run/docker/netns/5f2c'), '/var/run/docker/netns/5f2c');
  for (const bad of ['', '/', 'run/netns/x', '/run/../etc/shadow', '/var/run/docker/netns/..']) {
    t.equal(hostRunPath(DIR, bad), undefined, `refused: ${JSON.stringify(bad)}`);
  }
  const map = hostPathMap('/host/run/');
  t.equal(map('/var/run/docker.sock'), '/host/run/docker.sock');
  t.throws(() => hostPathMap('relative'), { code: 'TM_INVALID_ARGUMENT' });
});

t.test('property: a path outside /run and /var/run is unchanged', async (t) => {
  fc.assert(
    fc.property(
      segments.filter((s) => !isRun(s)),
      fc.option(fc.constantFrom(DIR, '/x', '/very/deep/mount/point'), { nil: undefined }),
      (segs, dir) => {
        const p = `/${segs.join('/')}`;
        return hostRunPath(dir, p) === p;
      },
    ),
  );
  t.pass();
});

t.test('property: /run/<rest> and /var/run/<rest> become <dir>/<rest>', async (t) => {
  fc.assert(
    fc.property(segments, fc.constantFrom('/run', '/var/run'), (rest, root) => {
      const mapped = hostRunPath(DIR, `${root}/${rest.join('/')}`);
      return mapped === `${DIR}/${rest.join('/')}` && !mapped.split('/').includes('..');
    }),
  );
  t.pass();
});

t.test('property: any path with a ".." segment is refused, wherever it is', async (t) => {
  fc.assert(
    fc.property(
      segments,
      fc.nat(),
      fc.constantFrom('..', '.'),
      fc.boolean(),
      (segs, at, dots, withDir) => {
        const s = [...segs];
        s.splice(at % (s.length + 1), 0, dots);
        return hostRunPath(withDir ? DIR : undefined, `/${s.join('/')}`) === undefined;
      },
    ),
  );
  t.pass();
});

t.test('socket defaults follow --host-run-dir; explicit addresses win', async (t) => {
  t.equal(defaultDockerHost(), 'unix:///var/run/docker.sock');
  t.equal(defaultContainerdAddress(), '/run/containerd/containerd.sock');
  t.match(runtimeSettings({ hostRunDir: '/host/run/' }), {
    choice: 'auto',
    dockerHost: 'unix:///host/run/docker.sock',
    containerdAddress: '/host/run/containerd/containerd.sock',
    hostRunDir: '/host/run',
  });
  const explicit = runtimeSettings({
    hostRunDir: '/host/run',
    dockerHost: 'unix:///d.sock',
    containerdAddress: '/c.sock',
  });
  t.match(explicit, { dockerHost: 'unix:///d.sock', containerdAddress: '/c.sock' });
  const none = runtimeSettings({});
  t.match(none, { dockerHost: 'unix:///var/run/docker.sock' });
  t.equal(none.hostRunDir, undefined);
  t.throws(() => runtimeSettings({ hostRunDir: '/a/../b' }), { code: 'TM_INVALID_ARGUMENT' });
});

t.test('the flag and HOST_RUN_DIR', async (t) => {
  const parse = (args: string[]) =>
    runtimeFromFlags(parseArgs({ options: AGENT_FLAGS, args, strict: true }).values);
  const s = parse(['--runtime', 'auto', '--host-run-dir', '/host/run']);
  t.match(s, { choice: 'auto', hostRunDir: '/host/run' });
  t.equal(s.dockerHost, 'unix:///host/run/docker.sock');
  t.throws(() => parse(['--host-run-dir', 'host/run']), /--host-run-dir must be an absolute/);
  const saved = process.env.HOST_RUN_DIR;
  process.env.HOST_RUN_DIR = '/from/env';
  t.teardown(() => {
    if (saved === undefined) delete process.env.HOST_RUN_DIR;
    else process.env.HOST_RUN_DIR = saved;
  });
  t.equal(parse([]).containerdAddress, '/from/env/containerd/containerd.sock');
  t.equal(parse(['--host-run-dir', '/flag']).hostRunDir, '/flag', 'the flag wins');
});

async function tempDir(t: Tap): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tm-hostrun-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

type Tap = { teardown(fn: () => unknown): void };

t.test('auto without the API: the socket found in the host run dir', async (t) => {
  const dir = await tempDir(t);
  t.throws(() => kindFromSockets(runtimeSettings({ hostRunDir: dir })), /no Docker or containerd/);
  await mkdir(join(dir, 'containerd'));
  await writeFile(join(dir, 'containerd', 'containerd.sock'), '');
  t.equal(kindFromSockets(runtimeSettings({ hostRunDir: dir })), 'containerd');
  const server = createServer();
  await new Promise<void>((r) => server.listen(join(dir, 'docker.sock'), r));
  t.teardown(() => server.close());
  t.equal(kindFromSockets(runtimeSettings({ hostRunDir: dir })), 'docker', "Docker's wins");
});

const POD = { name: 'web-1', namespace: 'default', uid: '1b6a3c6e-58f2-4a3f-9c1e-0d3c2f9b7a10' };

function stubDocker(sandboxKey: string): Docker {
  const sandbox = {
    Id: 'a'.repeat(64),
    Created: 1,
    Labels: {
      'io.kubernetes.pod.name': POD.name,
      'io.kubernetes.pod.namespace': POD.namespace,
    },
  };
  const info = { State: { Running: true, Pid: 4242 }, NetworkSettings: { SandboxKey: sandboxKey } };
  return {
    listContainers: async () => [sandbox],
    getContainer: () => ({ inspect: async () => info }),
  } as unknown as Docker;
}

t.test('Docker: the SandboxKey is entered through the host run dir', async (t) => {
  const key = '/var/run/docker/netns/5f2c0a1b9e3d';
  const mapped = new DockerRuntime(stubDocker(key), 'node-a', { hostRunDir: DIR });
  const sb = await mapped.findSandbox(POD);
  t.same(sb && netnsOf(sb), { path: '/host/run/docker/netns/5f2c0a1b9e3d' });
  const plain = await new DockerRuntime(stubDocker(key), 'node-a').findSandbox(POD);
  t.same(plain && netnsOf(plain), { path: key }, 'without it: the path as Docker names it');
  const odd = new DockerRuntime(stubDocker('/var/run/../etc/x'), 'node-a', { hostRunDir: DIR });
  const fallback = await odd.findSandbox(POD);
  t.same(fallback && netnsOf(fallback), { pid: 4242 }, 'a ".." key is never opened');
  const outside = new DockerRuntime(stubDocker('/srv/docker/netns/1'), 'node-a', {
    hostRunDir: DIR,
  });
  const o = await outside.findSandbox(POD);
  t.same(o && netnsOf(o), { path: '/srv/docker/netns/1' }, 'an exec-root elsewhere: as named');
});

function stubCri(netnsPath: string): ContainerdApi {
  const id = 'b'.repeat(64);
  const info = {
    pid: process.pid,
    runtimeSpec: { linux: { namespaces: [{ type: 'network', path: netnsPath }] } },
  };
  const replies: Record<string, unknown> = {
    ListPodSandbox: { items: [{ id, metadata: POD, created_at: 1 }] },
    PodSandboxStatus: {
      status: { state: 'SANDBOX_READY', network: null },
      info: { info: JSON.stringify(info) },
    },
  };
  return { runtime: { unary: async (m: string) => replies[m] } } as unknown as ContainerdApi;
}

t.test('containerd: the CRI netns file is checked through the host run dir', async (t) => {
  const dir = await tempDir(t);
  const hostPath = `/run/netns/cni-tm-${process.pid}-absent`;
  await mkdir(join(dir, 'netns'));
  await symlink(`/proc/${process.pid}/ns/net`, join(dir, 'netns', `cni-tm-${process.pid}-absent`));
  const api = stubCri(hostPath);
  const d = await findPodSandbox(api, POD, hostPathMap(dir));
  t.equal(d?.netnsPath, hostPath, 'the OCI spec keeps the host path (runc runs on the host)');
  await rm(join(dir, 'netns', `cni-tm-${process.pid}-absent`));
  await writeFile(join(dir, 'netns', `cni-tm-${process.pid}-absent`), '');
  await t.rejects(
    findPodSandbox(api, POD, hostPathMap(dir)),
    new RegExp(`not in the network namespace ${dir}/netns/cni-tm-`),
    'another file under the mount: the mapped path is the one compared',
  );
  t.equal((await findPodSandbox(api, POD))?.netnsPath, hostPath, 'unmapped: not readable, skipped');
});
