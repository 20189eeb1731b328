// End-to-end checks of the Docker harness against a real, private dockerd.
import { execa } from 'execa';
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { dockerExec } from './docker-exec.js';
import { startDockerd } from './dockerd.js';
import { ensureBusyboxImage } from './images.js';
import { iptablesIn, iptablesSave, normalizeIptablesSave } from './iptables.js';
import { HARNESS_LABEL } from './labels.js';
import { connectFromNetns } from './netns-tcp.js';
import { execInNetns } from './netns.js';
import { addAppContainer, createPod, podEnv, podInfo, removePod } from './pods.js';
import type { Pod, PodInfo } from './pods.js';
import { sweep } from './sweep.js';
import { waitFor } from './wait.js';

const here = dirname(fileURLToPath(import.meta.url));
const t0 = Date.now();
// No skip path: when the engine cannot start, this throws and the file fails with the reason.
const engine = await startDockerd();
t.comment(
  `shared dockerd pid ${engine.pid}: ${engine.reused ? 'reused' : 'started'} in ${Date.now() - t0} ms (engine startup ${engine.startupMs} ms)`,
);
const env = podEnv(engine);
await ensureBusyboxImage(engine.docker);
t.teardown(async () => {
  await sweep(engine, env.runId);
});

async function netnsInode(pid: number): Promise<number> {
  return (await stat(`/proc/${pid}/ns/net`)).ino;
}

interface HasTeardown {
  teardown(fn: () => unknown): void;
}

async function newPod(tt: HasTeardown, name: string): Promise<Pod> {
  const pod = await createPod(env, { name, namespace: 'e2e', labels: { app: name } });
  tt.teardown(() => removePod(pod));
  return pod;
}

t.test('the engine is private: own socket, data root and network namespace', async (tt) => {
  tt.ok(engine.socketPath.startsWith(`${engine.dir}/`), 'socket lives in the engine dir');
  tt.not(engine.socketPath, '/var/run/docker.sock');
  const info = await engine.docker.info();
  tt.equal(info.DockerRootDir, engine.dataRoot, 'DockerRootDir is our data root');
  tt.equal(info.CgroupDriver, 'cgroupfs');
  tt.not(await netnsInode(engine.pid), await netnsInode(process.pid), 'dockerd not in host netns');
  tt.equal(
    await netnsInode(engine.pid),
    (await stat(`/run/netns/${engine.netns}`)).ino,
    `dockerd runs in netns ${engine.netns}`,
  );
});

t.test('a second start in the same run reuses the engine', async (tt) => {
  const again = await startDockerd();
  tt.equal(again.pid, engine.pid, 'same dockerd pid in this process');
  tt.equal(again.socketPath, engine.socketPath);
  // Another test file is another process: it must find the same engine through the state dir.
  const cli = await execa(process.execPath, [
    '--import',
    'tsx',
    join(here, 'dockerd-cli.ts'),
    'start',
  ]);
  const other = JSON.parse(cli.stdout) as { pid: number; reused: boolean };
  tt.equal(other.pid, engine.pid, 'same dockerd pid from another process');
  tt.equal(other.reused, true);
});

t.test('a sandbox container carries the kubelet labels and a bridge IP', async (tt) => {
  const seen: PodInfo[] = [];
  const hooked = podEnv(engine, {
    runId: env.runId,
    nodeName: 'node-a',
    onPod: (info) => {
      seen.push(info);
    },
  });
  const pod = await createPod(hooked, {
    name: 'sandbox-labels',
    namespace: 'e2e',
    labels: { app: 'sandbox-labels' },
  });
  tt.teardown(() => removePod(pod));
  tt.same(seen, [podInfo(pod)], 'onPod got the pod');
  tt.match(seen[0], { name: 'sandbox-labels', namespace: 'e2e', nodeName: 'node-a', ip: pod.ip });
  const info = await engine.docker.getContainer(pod.sandboxId).inspect();
  tt.equal(info.Name, `/k8s_POD_sandbox-labels_e2e_${pod.uid}_0`);
  tt.match(info.Config.Labels, {
    'io.kubernetes.pod.name': 'sandbox-labels',
    'io.kubernetes.pod.namespace': 'e2e',
    'io.kubernetes.pod.uid': pod.uid,
    'io.kubernetes.docker.type': 'podsandbox',
    'io.kubernetes.container.name': 'POD',
    app: 'sandbox-labels',
    [HARNESS_LABEL]: env.runId,
  });
  tt.equal(info.State.Running, true);
  tt.equal(info.State.Pid, pod.pid);
  tt.match(pod.ip, /^\d+\.\d+\.\d+\.\d+$/);
  tt.equal(info.NetworkSettings.Networks.bridge?.IPAddress, pod.ip);
});

t.test('an app container shares the sandbox network namespace', async (tt) => {
  const pod = await newPod(tt, 'shared-netns');
  const app = await addAppContainer(pod, {
    name: 'web',
    cmd: [
      'sh',
      '-c',
      'echo hello-from-app > /tmp/index.html && exec httpd -f -p 127.0.0.1:8080 -h /tmp',
    ],
  });
  const info = await engine.docker.getContainer(app.id).inspect();
  tt.equal(info.Name, `/k8s_web_shared-netns_e2e_${pod.uid}_0`);
  tt.equal(info.HostConfig.NetworkMode, `container:${pod.sandboxId}`);
  tt.match(info.Config.Labels, {
    'io.kubernetes.docker.type': 'container',
    'io.kubernetes.container.name': 'web',
    'io.kubernetes.pod.uid': pod.uid,
  });
  tt.equal(await netnsInode(info.State.Pid), await netnsInode(pod.pid), 'same netns inode');

  const inApp = await dockerExec(engine.docker, app.id, ['ip', '-o', '-4', 'addr']);
  const inSandbox = await dockerExec(engine.docker, pod.sandboxId, ['ip', '-o', '-4', 'addr']);
  tt.equal(inApp.stdout, inSandbox.stdout, 'same interfaces and addresses');
  tt.match(inApp.stdout, pod.ip);

  // The app listens on 127.0.0.1 only: reachable from the sandbox, i.e. the same loopback.
  // (busybox 1.35's static wget crashes with -T; dockerExec bounds the time instead.)
  const wget = ['wget', '-q', '-O', '-', 'http://127.0.0.1:8080/index.html'];
  const fetched = await dockerExec(engine.docker, pod.sandboxId, wget, 10_000);
  tt.equal(fetched.exitCode, 0, fetched.stderr);
  tt.equal(fetched.stdout.trim(), 'hello-from-app');
});

t.test('commands run in the pod netns via nsenter by pid', async (tt) => {
  const pod = await newPod(tt, 'nsenter');
  const addrs = await execInNetns(pod.pid, ['ip', '-o', '-4', 'addr', 'show']);
  tt.match(addrs.stdout, `inet ${pod.ip}/`);
  await addAppContainer(pod, {
    name: 'echo',
    cmd: ['sh', '-c', 'echo pong > /tmp/index.html && exec httpd -f -p 127.0.0.1:9090 -h /tmp'],
  });
  const r = await connectFromNetns(pod.pid, '127.0.0.1', 9090, {
    send: 'GET /index.html HTTP/1.0\r\n\r\n',
  });
  tt.equal(r.ok, true, r.error ?? '');
  tt.match(r.data, /^HTTP\/1\.[01] 200/);
  tt.match(r.data, /pong/);
  const fromHost = await connectFromNetns(process.pid, '127.0.0.1', 9090, { timeoutMs: 2000 });
  tt.not(fromHost.data.includes('pong'), true, 'host loopback is a different one');
});

t.test('pod IPs are reachable from the engine netns (the node side of the bridge)', async (tt) => {
  const pod = await newPod(tt, 'node-side');
  await addAppContainer(pod, {
    name: 'web',
    cmd: ['sh', '-c', 'echo via-bridge > /tmp/index.html && exec httpd -f -p 8081 -h /tmp'],
  });
  const r = await waitFor(
    async () => {
      const res = await connectFromNetns({ netns: engine.netns }, pod.ip, 8081, {
        send: 'GET /index.html HTTP/1.0\r\n\r\n',
      });
      return res.ok ? res : undefined;
    },
    { what: 'pod answering on its IP', timeoutMs: 10_000 },
  );
  tt.match(r.data, /via-bridge/);
});

t.test('iptables in a pod netns is independent from the host', async (tt) => {
  const pod = await newPod(tt, 'iptables-a');
  const other = await newPod(tt, 'iptables-b');
  const hostBefore = normalizeIptablesSave(await iptablesSave());
  const rule = ['-t', 'nat', '-A', 'OUTPUT', '-p', 'tcp', '--dport', '9999'];
  await iptablesIn(pod.pid, [...rule, '-j', 'REDIRECT', '--to-ports', '15001']);
  const inPod = await iptablesSave(pod.pid);
  tt.match(inPod, /-A OUTPUT -p tcp -m tcp --dport 9999 -j REDIRECT --to-ports 15001/);
  tt.notMatch(await iptablesSave(other.pid), /--dport 9999/, 'other pod unaffected');
  tt.equal(normalizeIptablesSave(await iptablesSave()), hostBefore, 'host rules unchanged');
});

t.test('sweep removes what a run left behind, and only that run', async (tt) => {
  const mine = podEnv(engine);
  const pod = await createPod(mine, { name: 'leftover', namespace: 'e2e' });
  await addAppContainer(pod, { name: 'app', cmd: ['sleep', '600'] });
  const keep = await newPod(tt, 'keeper');
  tt.equal(await sweep(engine, mine.runId), 2, 'sandbox and app container removed');
  const left = await engine.docker.listContainers({
    all: true,
    filters: { label: [`${HARNESS_LABEL}=${mine.runId}`] },
  });
  tt.equal(left.length, 0);
  tt.equal((await engine.docker.getContainer(keep.sandboxId).inspect()).State.Running, true);
});
