// Locally built test images: busybox import and a derived stand-in proxy image.
import t from 'tap';
import { dockerExec } from './docker-exec.js';
import { startDockerd } from './dockerd.js';
import { BUSYBOX_IMAGE, buildImage, ensureBusyboxImage } from './images.js';
import { connectFromNetns } from './netns-tcp.js';
import { addAppContainer, createPod, podEnv, removePod } from './pods.js';
import {
  STANDIN_ADMIN_PORT,
  STANDIN_CAPTURE_PORT,
  ensureStandInProxyImage,
} from './standin-proxy.js';
import { sweep } from './sweep.js';
import { waitFor } from './wait.js';

const engine = await startDockerd();
const env = podEnv(engine);
t.teardown(() => sweep(engine, env.runId));

t.test('the busybox image is imported once and runs applets', async (tt) => {
  const t0 = Date.now();
  tt.equal(await ensureBusyboxImage(engine.docker), BUSYBOX_IMAGE);
  const first = await engine.docker.getImage(BUSYBOX_IMAGE).inspect();
  tt.equal(await ensureBusyboxImage(engine.docker), BUSYBOX_IMAGE);
  const second = await engine.docker.getImage(BUSYBOX_IMAGE).inspect();
  tt.equal(second.Id, first.Id, 'second call did not re-import');
  tt.comment(`ensureBusyboxImage x2: ${Date.now() - t0} ms`);
  const pod = await createPod(env, { name: 'busybox', namespace: 'e2e' });
  tt.teardown(() => removePod(pod));
  const r = await dockerExec(engine.docker, pod.sandboxId, [
    'sh',
    '-c',
    'echo $((6 * 7)); ls /bin/nc',
  ]);
  tt.same(r, { exitCode: 0, stdout: '42\n/bin/nc\n', stderr: '' });
});

t.test('buildImage adds files with modes, entrypoint and cmd', async (tt) => {
  const name = await buildImage(engine.docker, {
    name: 'tm-test/derived:1',
    files: {
      '/opt/hello': { contents: '#!/bin/sh\necho "hello $1"\n', mode: 0o755 },
      '/etc/motd': 'plain file\n',
    },
    entrypoint: ['/opt/hello'],
    cmd: ['world'],
  });
  const img = await engine.docker.getImage(name).inspect();
  tt.same(img.Config.Entrypoint, ['/opt/hello']);
  tt.same(img.Config.Cmd, ['world']);
  const again = await buildImage(engine.docker, {
    name: 'tm-test/derived:1',
    files: {
      '/opt/hello': { contents: '#!/bin/sh\necho "hello $1"\n', mode: 0o755 },
      '/etc/motd': 'plain file\n',
    },
    entrypoint: ['/opt/hello'],
    cmd: ['world'],
  });
  tt.equal(
    (await engine.docker.getImage(again).inspect()).Id,
    img.Id,
    'identical spec: no rebuild',
  );
  const pod = await createPod(env, { name: 'derived', namespace: 'e2e' });
  tt.teardown(() => removePod(pod));
  const app = await addAppContainer(pod, {
    name: 'hello',
    image: name,
    entrypoint: ['sleep'],
    cmd: ['600'],
  });
  const hello = await dockerExec(engine.docker, app.id, ['/opt/hello', 'there']);
  tt.equal(hello.stdout, 'hello there\n');
  const r = await dockerExec(engine.docker, app.id, [
    'sh',
    '-c',
    'stat -c %a /opt/hello /etc/motd',
  ]);
  tt.equal(r.stdout, '755\n644\n');
});

t.test('the stand-in proxy answers /ready and the capture port', async (tt) => {
  const image = await ensureStandInProxyImage(engine.docker);
  const pod = await createPod(env, { name: 'standin', namespace: 'e2e' });
  tt.teardown(() => removePod(pod));
  await addAppContainer(pod, {
    name: 'proxy',
    image,
    cmd: [],
    env: { STANDIN_REPLY: 'from-proxy' },
  });
  const ready = await waitFor(
    async () => {
      const r = await connectFromNetns(pod.pid, '127.0.0.1', STANDIN_ADMIN_PORT, {
        send: 'GET /ready HTTP/1.0\r\n\r\n',
      });
      return r.ok && /^HTTP\/1\.[01] 200 /.test(r.data) ? r : undefined;
    },
    { what: 'stand-in admin /ready', timeoutMs: 10_000 },
  );
  tt.match(ready.data, /\r\n\r\nLIVE\n$/);
  const captured = await connectFromNetns(pod.pid, pod.ip, STANDIN_CAPTURE_PORT, {
    send: 'GET /anything HTTP/1.1\r\nHost: x\r\n\r\n',
  });
  tt.equal(captured.ok, true, captured.error ?? '');
  tt.match(captured.data, /^HTTP\/1\.0 200 OK\r\n/);
  tt.match(captured.data, /X-Standin-Request: GET \/anything HTTP\/1\.1\r\n/);
  tt.match(captured.data, /\r\n\r\nfrom-proxy\n$/);
});
