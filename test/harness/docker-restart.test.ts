// Restarting the Docker engine (same data root) on a dedicated engine, so the shared one that
// other test files use is never disturbed.
import { access, stat } from 'node:fs/promises';
import t from 'tap';
import { dockerExec } from './docker-exec.js';
import { startDockerd } from './dockerd.js';
import { pingSocket } from './engine-process.js';
import { ensureBusyboxImage } from './images.js';
import { connectFromNetns } from './netns-tcp.js';
import { netnsExists } from './netns.js';
import { addAppContainer, createPod, inspectSandbox, podEnv, refreshPod } from './pods.js';
import { isAlive } from './proc.js';
import { waitFor } from './wait.js';

const t0 = Date.now();
const engine = await startDockerd({ shared: false });
t.comment(`dedicated dockerd pid ${engine.pid} started in ${Date.now() - t0} ms`);
t.teardown(() => engine.stop());
await ensureBusyboxImage(engine.docker);
const env = podEnv(engine);

async function netnsInode(pid: number): Promise<number> {
  return (await stat(`/proc/${pid}/ns/net`)).ino;
}

t.test('restart brings back containers with a restart policy', async (tt) => {
  tt.not(engine.shared, true);
  tt.equal((await engine.docker.info()).DockerRootDir, engine.dataRoot);
  const pod = await createPod(env, { name: 'keeps', namespace: 'e2e', restartPolicy: 'always' });
  const app = await addAppContainer(pod, {
    name: 'web',
    cmd: [
      'sh',
      '-c',
      'echo still-here > /tmp/index.html && exec httpd -f -p 127.0.0.1:8080 -h /tmp',
    ],
    restartPolicy: 'always',
  });
  const once = await createPod(env, { name: 'once', namespace: 'e2e' });
  const oldPid = engine.pid;
  const oldSandboxPid = pod.pid;

  const t1 = Date.now();
  await engine.restart();
  tt.comment(`dockerd restart took ${Date.now() - t1} ms`);
  tt.not(engine.pid, oldPid, 'a new dockerd process');
  tt.equal(await isAlive(oldPid), false, 'the old one is gone');
  tt.equal(await pingSocket(engine.socketPath), true);

  await waitFor(
    async () => ((await inspectSandbox(engine.docker, pod.sandboxId)).running ? true : undefined),
    {
      what: 'sandbox restarted',
      timeoutMs: 30_000,
    },
  );
  await refreshPod(pod);
  tt.not(pod.pid, oldSandboxPid, 'sandbox runs again, as a new process');
  const appInfo = await waitFor(
    async () => {
      const info = await engine.docker.getContainer(app.id).inspect();
      return info.State.Running ? info : undefined;
    },
    { what: 'app container restarted', timeoutMs: 30_000 },
  );
  tt.equal(
    await netnsInode(appInfo.State.Pid),
    await netnsInode(pod.pid),
    'app rejoined the pod netns',
  );
  const r = await waitFor(
    async () => {
      const res = await connectFromNetns(pod.pid, '127.0.0.1', 8080, {
        send: 'GET /index.html HTTP/1.0\r\n\r\n',
      });
      return res.ok && res.data.includes('still-here') ? res : undefined;
    },
    { what: 'app answering after restart', timeoutMs: 10_000 },
  );
  tt.match(r.data, /still-here/);
  const ip = await dockerExec(engine.docker, app.id, ['ip', '-o', '-4', 'addr']);
  tt.match(ip.stdout, pod.ip, 'app sees the sandbox address');
  tt.equal(
    (await inspectSandbox(engine.docker, once.sandboxId)).running,
    false,
    'no policy: stays down',
  );
});

t.test('stop removes the dedicated engine completely', async (tt) => {
  const { pid, containerdPid, netns, dir } = engine;
  await engine.stop();
  tt.equal(await isAlive(pid), false, 'dockerd exited');
  tt.equal(await isAlive(containerdPid), false, 'containerd exited');
  tt.equal(await netnsExists(netns), false, 'netns deleted');
  await tt.rejects(access(dir), 'engine directory removed');
});
