// The private containerd with CRI: Debian's containerd in its own netns and temporary directory,
// the test images visible to CRI, pod sandboxes (RunPodSandbox) with netns mounts under its
// state dir and pod IPs that reach each other, a restart that keeps sandboxes, and a stop that
// leaves no process, mount, netns, cgroup or directory behind.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import t from 'tap';
import { checkNetns } from '../../agent/runtime/containerd/netns-check.js';
import { startContainerd } from './containerd.js';
import { criSandboxStatus, execInApp, removeCriPod, runCriPod } from './cri-pods.js';
import { mountsUnder } from './engine.js';
import { connectFromNetns, listenInNetns } from './netns-tcp.js';
import { netnsExists } from './netns.js';
import { isAlive } from './proc.js';

t.test('a private containerd with CRI', async (t) => {
  const c = await startContainerd();
  t.teardown(() => c.stop());
  const l = c.layout;
  t.comment(`containerd ${c.version} started in ${c.startupMs} ms`);

  await t.test('Debian containerd, its own netns and directory', async (t) => {
    const v = await execa('containerd', ['--version']);
    t.match(v.stdout, c.version, 'the installed containerd');
    const own = await stat(`/proc/${c.pid}/ns/net`);
    const named = await stat(`/run/netns/${l.netns}`);
    t.equal(own.ino, named.ino, 'runs in its own network namespace');
    t.ok(l.socket.startsWith(l.dir), 'socket in its directory');
  });

  await t.test(
    'pod sandboxes through CRI: netns under state, IPs that reach each other',
    async (t) => {
      const a = await runCriPod(c, { name: 'a', namespace: 'default', runId: 'r-harness' });
      const b = await runCriPod(c, { name: 'b', namespace: 'default', runId: 'r-harness' });
      t.teardown(async () => {
        await removeCriPod(a);
        await removeCriPod(b);
      });
      t.ok(a.netnsPath.startsWith(`${l.state}/`), 'netns_mounts_under_state_dir');
      t.match(
        a.ip,
        new RegExp(`^${l.subnet.replace(/\./g, '\\.')}\\.\\d+$`),
        'an address from our CNI plugin',
      );
      t.equal(await checkNetns(a), undefined, 'pid, netns mount and IP agree');
      const srv = await listenInNetns(b.pid, 9080, { reply: 'from-b' });
      t.teardown(() => srv.stop());
      const r = await connectFromNetns(a.pid, b.ip, 9080, { send: 'x' });
      t.match(r.data, /from-b/, 'pod a reaches pod b');
      const hostname = await execInApp(a, ['hostname']);
      t.equal(hostname.stdout.trim(), 'a', 'ExecSync in the app container');
    },
  );

  await t.test('restart keeps running sandboxes', async (t) => {
    const p = await runCriPod(c, { name: 'r', namespace: 'default', runId: 'r-harness' });
    t.teardown(() => removeCriPod(p));
    const before = c.pid;
    await c.restart();
    t.not(c.pid, before, 'a new containerd process');
    t.ok(await isAlive(p.pid), 'the sandbox process kept running');
    t.ok((await criSandboxStatus(c, p.sandboxId)).ready, 'CRI still reports it READY');
  });

  await t.test('stop leaves nothing behind', async (t) => {
    const p = await runCriPod(c, { name: 's', namespace: 'default', runId: 'r-harness' });
    const pid = c.pid;
    await c.stop();
    t.notOk(await isAlive(pid), 'containerd stopped');
    t.notOk(await isAlive(p.pid), 'its sandboxes stopped');
    t.notOk(await netnsExists(l.netns), 'netns deleted');
    t.same(await mountsUnder(l.dir), [], 'nothing mounted');
    t.notOk(existsSync(l.dir), 'directory removed');
    const cg = await readdir('/sys/fs/cgroup/memory').catch(() => [] as string[]);
    t.notOk(cg.includes(l.cgroupParent.slice(1)), 'cgroup parent removed');
  });
});
