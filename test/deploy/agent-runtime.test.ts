// agent.runtime in the rendered DaemonSet. auto (the default) serves Docker and containerd nodes
// with one install: it mounts the node's /run (a directory every node has) read-only at
// /host/run and never a socket path that may be missing; docker and containerd mount their own
// socket and netns directory at the same paths, as before.
import t from 'tap';
import { container, envOf, find, render, type Obj } from './chart.js';

interface AgentPod {
  pod: Obj;
  c: Obj;
  env: Record<string, string>;
  hostPaths: Array<{ name: string; path: string; type: string }>;
}

async function agentPod(values: string[] = []): Promise<AgentPod> {
  const ds = find(await render(values), 'DaemonSet', 'traffic-agent');
  const c = container(ds, 'traffic-agent');
  const pod = ds.spec.template.spec;
  const hostPaths = (pod.volumes as Obj[])
    .filter((v) => v.hostPath)
    .map((v) => ({ name: v.name, path: v.hostPath.path, type: v.hostPath.type }));
  return { pod, c, env: envOf(c), hostPaths };
}

function mount(c: Obj, name: string): Obj | undefined {
  return (c.volumeMounts as Obj[]).find((m) => m.name === name);
}

const LOGS = '/var/log/traffic-manager/proxies';

t.test('auto by default: the node /run read-only at /host/run, no socket hostPath', async (t) => {
  const a = await agentPod();
  t.same(a.hostPaths, [
    { name: 'host-run', path: '/run', type: 'Directory' },
    { name: 'proxy-logs', path: LOGS, type: 'DirectoryOrCreate' },
  ]);
  t.notOk(
    a.hostPaths.some((h) => h.type === 'Socket' || h.path.endsWith('.sock')),
    'no hostPath the kubelet could turn into a directory where a socket is missing',
  );
  t.same(mount(a.c, 'host-run'), {
    name: 'host-run',
    mountPath: '/host/run',
    readOnly: true,
    mountPropagation: 'HostToContainer',
  });
  t.same(mount(a.c, 'proxy-logs'), { name: 'proxy-logs', mountPath: LOGS }, 'at the same path');
  t.match(a.env, { RUNTIME: 'auto', HOST_RUN_DIR: '/host/run', PROXY_LOG_DIR: LOGS });
  t.equal(a.env.DOCKER_HOST, undefined, 'the socket defaults come from HOST_RUN_DIR');
  t.equal(a.env.CONTAINERD_ADDRESS, undefined);
  t.equal(a.c.args, undefined, 'all in the environment, where envoy-tools finds it too');

  const explicit = await agentPod(['agent.runtime=auto']);
  t.same(explicit.c, a.c, 'agent.runtime=auto is the default');
  const logs = await agentPod(['agent.containerd.proxyLogDir=/data/tm-logs']);
  t.same(logs.hostPaths[1], {
    name: 'proxy-logs',
    path: '/data/tm-logs',
    type: 'DirectoryOrCreate',
  });
  t.equal(logs.env.PROXY_LOG_DIR, '/data/tm-logs');
  t.equal(mount(logs.c, 'proxy-logs')?.mountPath, '/data/tm-logs');
});

t.test('docker: its socket and netns directory at the same paths, as before', async (t) => {
  const d = await agentPod(['agent.runtime=docker']);
  t.same(d.hostPaths, [
    { name: 'runtime-socket', path: '/var/run/docker.sock', type: 'Socket' },
    { name: 'docker-netns', path: '/var/run/docker/netns', type: 'DirectoryOrCreate' },
  ]);
  t.same(mount(d.c, 'runtime-socket'), {
    name: 'runtime-socket',
    mountPath: '/var/run/docker.sock',
  });
  t.same(mount(d.c, 'docker-netns'), {
    name: 'docker-netns',
    mountPath: '/var/run/docker/netns',
    readOnly: true,
    mountPropagation: 'HostToContainer',
  });
  t.match(d.env, { RUNTIME: 'docker', DOCKER_HOST: 'unix:///var/run/docker.sock' });
  t.equal(d.env.HOST_RUN_DIR, undefined);
  t.equal(d.c.args, undefined);
  t.equal(mount(d.c, 'host-run'), undefined, 'no /run mount');
});

t.test('containerd: its socket, CRI netns directory and logs at the same paths', async (t) => {
  const c = await agentPod(['agent.runtime=containerd']);
  t.same(c.hostPaths, [
    { name: 'runtime-socket', path: '/run/containerd/containerd.sock', type: 'Socket' },
    { name: 'cri-netns', path: '/var/run/netns', type: 'DirectoryOrCreate' },
    { name: 'proxy-logs', path: LOGS, type: 'DirectoryOrCreate' },
  ]);
  t.equal(mount(c.c, 'runtime-socket')?.mountPath, '/run/containerd/containerd.sock');
  t.match(mount(c.c, 'cri-netns'), {
    mountPath: '/var/run/netns',
    readOnly: true,
    mountPropagation: 'HostToContainer',
  });
  t.same(c.c.args, ['--runtime', 'containerd', '--proxy-log-dir', LOGS]);
  t.equal(c.env.DOCKER_HOST, undefined, 'no DOCKER_HOST with containerd');
  t.equal(c.env.HOST_RUN_DIR, undefined);
  t.equal(c.env.RUNTIME, undefined);
});

t.test(
  'every runtime hostPath but the log directory is mounted read-only or is a socket',
  async (t) => {
    for (const mode of ['auto', 'docker', 'containerd']) {
      const a = await agentPod([`agent.runtime=${mode}`]);
      for (const h of a.hostPaths) {
        const m = mount(a.c, h.name);
        const writable = h.name === 'proxy-logs' || h.type === 'Socket';
        t.equal(m?.readOnly ?? false, !writable, `${mode}: ${h.name} (${h.path})`);
      }
    }
  },
);
