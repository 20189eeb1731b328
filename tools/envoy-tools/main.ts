#!/usr/bin/env node
// envoy-tools: inspect and fix the proxies on this node (list, logs, remove, check).
import * as k8s from '@kubernetes/client-node';
import { parseArgs } from 'node:util';
import { KubePodPatcher } from '../../agent/annotate.js';
import { DEFAULT_CONFIG } from '../../agent/config.js';
import { DockerRuntime } from '../../agent/runtime/docker.js';
import { DEFAULT_CAPTURE } from '../../iptables/index.js';
import { PORT, fromEnv, intFlag } from '../../lib/cli.js';
import { describeError } from '../../lib/errors.js';
import { loadKubeConfig } from '../../lib/kube.js';
import { HELP, TOOL_FLAGS, runEnvoyTools, type ToolDeps } from './run.js';

function kube(path: string | undefined): Pick<ToolDeps, 'patcher' | 'readPod'> {
  try {
    const core = loadKubeConfig({ kubeconfig: path }).makeApiClient(k8s.CoreV1Api);
    return {
      patcher: new KubePodPatcher(core),
      readPod: (namespace, name) => core.readNamespacedPod({ namespace, name }),
    };
  } catch {
    return {};
  }
}

async function main(): Promise<number> {
  const { values: v } = parseArgs({ options: TOOL_FLAGS, strict: true });
  if (v.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const uid = intFlag('proxy-uid', fromEnv(v['proxy-uid'], 'PROXY_UID'), DEFAULT_CONFIG.proxyUid, {
    min: 1,
    max: 2 ** 31 - 1,
  });
  const adminPort = intFlag(
    'admin-port',
    fromEnv(v['admin-port'], 'ADMIN_PORT'),
    DEFAULT_CONFIG.adminPort,
    PORT,
  );
  const runtime = new DockerRuntime(
    fromEnv(v['docker-host'], 'DOCKER_HOST') ?? 'unix:///var/run/docker.sock',
    fromEnv(v['node-name'], 'NODE_NAME'),
  );
  const deps: ToolDeps = {
    runtime,
    adminPort,
    baseCapture: {
      ...DEFAULT_CAPTURE,
      capturePort: intFlag(
        'capture-port',
        fromEnv(v['capture-port'], 'CAPTURE_PORT'),
        DEFAULT_CONFIG.capturePort,
        PORT,
      ),
      adminPort,
      proxyUid: uid,
      proxyGid: uid,
    },
    ...kube(fromEnv(v.kubeconfig, 'KUBECONFIG')),
  };
  await runtime.ping();
  return runEnvoyTools(v, deps, { out: process.stdout, err: process.stderr });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`envoy-tools: ${describeError(err)}\n`);
    process.exitCode = 1;
  },
);
