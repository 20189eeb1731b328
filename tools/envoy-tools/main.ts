#!/usr/bin/env node
// envoy-tools: inspect and fix the proxies on this node (list, logs, remove, check).
import * as k8s from '@kubernetes/client-node';
import { parseArgs } from 'node:util';
import { KubePodPatcher } from '../../agent/annotate.js';
import { DEFAULT_CONFIG } from '../../agent/config.js';
import {
  createRuntime,
  nodeRuntimeKind,
  resolveRuntimeKind,
  runtimeSettings,
} from '../../agent/runtime/select.js';
import type { ProxyRuntime } from '../../agent/runtime/types.js';
import { DEFAULT_CAPTURE } from '../../iptables/index.js';
import { PORT, fromEnv, intFlag } from '../../lib/cli.js';
import { describeError } from '../../lib/errors.js';
import { loadKubeConfig } from '../../lib/kube.js';
import { HELP, TOOL_FLAGS, runEnvoyTools, type ToolDeps } from './run.js';

/** The runtime choice, beside the flags run.ts knows (the same as the agent's). */
const RUNTIME_FLAGS = {
  runtime: { type: 'string' },
  'containerd-address': { type: 'string' },
  'host-run-dir': { type: 'string' },
  'proxy-log-dir': { type: 'string' },
} as const;

const RUNTIME_HELP = `  --runtime KIND       docker, containerd or auto (the Node's runtime; default auto) [RUNTIME]
  --containerd-address P  containerd socket (default /run/containerd/containerd.sock) [CONTAINERD_ADDRESS]
  --host-run-dir DIR   the node's /run as mounted here, as given to the agent [HOST_RUN_DIR]
  --proxy-log-dir DIR  containerd: the proxies' log directory, as given to the agent [PROXY_LOG_DIR]
`;

type Kube = Pick<ToolDeps, 'patcher' | 'readPod'> & { core?: k8s.CoreV1Api };

function kube(path: string | undefined): Kube {
  try {
    const core = loadKubeConfig({ kubeconfig: path }).makeApiClient(k8s.CoreV1Api);
    return {
      core,
      patcher: new KubePodPatcher(core),
      readPod: (namespace, name) => core.readNamespacedPod({ namespace, name }),
    };
  } catch {
    return {};
  }
}

async function runtimeOf(
  v: Record<string, string | boolean | undefined>,
  k: Kube,
  node: string | undefined,
): Promise<ProxyRuntime> {
  const str = (x: string | boolean | undefined): string | undefined =>
    typeof x === 'string' ? x : undefined;
  const s = runtimeSettings({
    runtime: fromEnv(str(v.runtime), 'RUNTIME'),
    dockerHost: fromEnv(str(v['docker-host']), 'DOCKER_HOST'),
    containerdAddress: fromEnv(str(v['containerd-address']), 'CONTAINERD_ADDRESS'),
    proxyLogDir: fromEnv(str(v['proxy-log-dir']), 'PROXY_LOG_DIR'),
    hostRunDir: fromEnv(str(v['host-run-dir']), 'HOST_RUN_DIR'),
  });
  const kind = await resolveRuntimeKind(s, async () => {
    if (!k.core || !node) throw new Error('no API or node name');
    return nodeRuntimeKind(k.core, node);
  });
  return createRuntime(kind, s, node);
}

async function main(): Promise<number> {
  const { values: v } = parseArgs({ options: { ...TOOL_FLAGS, ...RUNTIME_FLAGS }, strict: true });
  if (v.help) {
    process.stdout.write(HELP.replace('  --docker-host URL', `${RUNTIME_HELP}  --docker-host URL`));
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
  const k = kube(fromEnv(v.kubeconfig, 'KUBECONFIG'));
  const runtime = await runtimeOf(v, k, fromEnv(v['node-name'], 'NODE_NAME'));
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
    ...(k.patcher ? { patcher: k.patcher } : {}),
    ...(k.readPod ? { readPod: k.readPod } : {}),
  };
  try {
    await runtime.ping();
    return await runEnvoyTools(v, deps, { out: process.stdout, err: process.stderr });
  } finally {
    (runtime as { close?: () => void }).close?.();
  }
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
