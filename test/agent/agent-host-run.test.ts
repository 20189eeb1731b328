// traffic-agent as the chart runs it by default, on the real (private) Docker engine:
// `--runtime auto --host-run-dir <dir>` and no socket flag. The Node names Docker, the agent finds
// <dir>/docker.sock, and enters the pod's netns through the SandboxKey mapped into <dir>.
// The engine keeps its netns files under its own exec root, so a small API proxy in front of it
// (sandbox-key-proxy.ts) reports them as a node's Docker would, under /var/run/<name>: a path
// that does not exist on this machine. Only its mapping, <dir>/<name> (a symlink to the exec
// root), leads to the netns file; capture rules in the pod prove that path was the one opened.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { DockerRuntime } from '../../agent/runtime/docker.js';
import { netnsOf } from '../../agent/runtime/types.js';
import { DEFAULT_CAPTURE, verifyCapture } from '../../iptables/index.js';
import { waitFor } from '../fake-kube/testing.js';
import { engineLayout } from '../harness/engine-layout.js';
import { agentEnv, annotationOf, deployment, runningPods } from './agent-env.js';
import { spawnAgent } from './agent-process.js';
import { sandboxKeyProxy } from './sandbox-key-proxy.js';

t.test('--runtime auto --host-run-dir: the socket and the netns file in the run dir', async (t) => {
  const e = await agentEnv(t);
  // Short: the socket path must fit sun_path (108 bytes).
  const dir = await mkdtemp('/tmp/tm-hostrun-');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const name = `tm-e2e-${e.env.runId}`;
  const execRoot = engineLayout(e.engine.dir).execRoot;
  await symlink(execRoot, join(dir, name));
  const proxy = await sandboxKeyProxy({
    socketPath: join(dir, 'docker.sock'),
    upstream: e.engine.socketPath,
    from: execRoot,
    to: `/var/run/${name}`,
  });
  t.teardown(() => proxy.close());
  t.notOk(existsSync(`/var/run/${name}`), 'the path the runtime reports does not exist here');
  e.fake.seed({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: e.env.nodeName },
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      nodeInfo: { containerRuntimeVersion: 'docker://20.10.24' },
    },
  });

  const applied = await e.kubectl(['apply', '-f', '-'], {
    input: deployment('web', 1, { 'traffic.envoy.enabled': 'true' }),
  });
  t.equal(applied.exitCode, 0, applied.stderr);
  const [obj] = await runningPods(e, 'web', 1);
  const pod = e.kubelet.pod('default', obj?.metadata?.name ?? '');
  if (!pod) throw new Error('no sandbox');
  const ref = { name: pod.name, namespace: pod.namespace, uid: pod.uid };

  await t.test('the runtime reports /var/run/…, the agent opens <dir>/…', async (t) => {
    const viaProxy = `unix://${dir}/docker.sock`;
    const plain = await new DockerRuntime(viaProxy, e.env.nodeName).findSandbox(ref);
    const key = plain && netnsOf(plain);
    t.match(key, { path: new RegExp(`^/var/run/${name}/netns/[0-9a-f]+$`) });
    const mapped = await new DockerRuntime(viaProxy, e.env.nodeName, {
      hostRunDir: dir,
    }).findSandbox(ref);
    const target = mapped && netnsOf(mapped);
    const path = target && 'path' in target ? target.path : '';
    t.equal(path, `${dir}${(key as { path: string }).path.slice('/var/run'.length)}`);
    t.ok(existsSync(path), 'the mapped file exists (the engine netns file, via the symlink)');
  });

  await t.test(
    'the agent process: Docker by the Node, capture installed by the path',
    async (t) => {
      const runtimeArgs = ['--runtime', 'auto', '--host-run-dir', dir];
      const agent = spawnAgent({ config: e.config, kubeconfig: e.kubeconfig, runtimeArgs }, t);
      await agent.started;
      t.match(agent.output(), /"runtime":"docker"/, 'auto chose Docker');
      const id = await waitFor(
        'proxy annotated and capture installed',
        async () => {
          const proxies = await e.runtime.listProxies(pod.uid);
          const ann = await annotationOf(e, pod.name);
          if (!ann || proxies[0]?.id !== ann) return undefined;
          const v = await verifyCapture({ pid: pod.pid }, DEFAULT_CAPTURE, ['ipv4']);
          return v.ok ? ann : undefined;
        },
        45_000,
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}\nagent output:\n${agent.output()}`);
      });
      t.ok(id, 'the pod has its proxy and the capture rules');
      t.ok(proxy.rewritten > 0, 'the agent read SandboxKeys through <dir>/docker.sock');
      t.notMatch(agent.output(), /does not exist|TM_NOT_FOUND/, 'never tried the host path');
      await agent.kill('SIGTERM');
    },
  );
});
