#!/usr/bin/env node
// traffic-agent: the per-node daemon. Runs an Envoy proxy in the network namespace of every pod
// on this node labelled traffic.envoy.enabled=true (on the pod or its workload), captures the
// pod's outbound TCP into it, and removes both when the label goes. Exits cleanly on SIGTERM,
// leaving proxies running (the next agent adopts them).
import { parseArgs } from 'node:util';
import { fromEnv, intFlag } from '../lib/cli.js';
import { describeError } from '../lib/errors.js';
import { loadKubeConfig } from '../lib/kube.js';
import { createLogger } from '../lib/log.js';
import { TrafficAgent } from './agent.js';
import { DEFAULT_CONFIG } from './config.js';
import * as k8s from '@kubernetes/client-node';
import { AGENT_FLAGS, configFromFlags, runtimeFromFlags } from './flags.js';
import { startAgentHttp } from './http.js';
import { createRuntime, nodeRuntimeKind, resolveRuntimeKind } from './runtime/select.js';

const HELP = `Usage: traffic-agent [flags]

Runs on every node (DaemonSet). For each pod on this node whose traffic.envoy.enabled label (on
the pod, or else on its Deployment, StatefulSet or DaemonSet) is true: starts Envoy in the pod's
network namespace, waits until it is ready, installs the outbound capture rules, and annotates
the pod traffic.envoy.proxy=<container id>. Removing the label undoes all of it.

Flags (environment variable in brackets):
  --node-name NAME       this node (default from the downward API) [NODE_NAME]
  --kubeconfig PATH      kubeconfig file; default in-cluster or $KUBECONFIG [KUBECONFIG]
  --runtime KIND         docker, containerd or auto: the Node's containerRuntimeVersion (default auto) [RUNTIME]
  --docker-host URL      Docker API (default unix:///var/run/docker.sock, or in --host-run-dir) [DOCKER_HOST]
  --containerd-address P containerd socket (default /run/containerd/containerd.sock, or in --host-run-dir) [CONTAINERD_ADDRESS]
  --host-run-dir DIR     the node's /run as mounted in this container (e.g. /host/run): the sockets then
                         default to DIR/docker.sock and DIR/containerd/containerd.sock, and the netns
                         files the runtime names under /run or /var/run are opened through DIR [HOST_RUN_DIR]
  --proxy-log-dir DIR    containerd: host directory of the proxies' logs (default /var/log/traffic-manager/proxies) [PROXY_LOG_DIR]
  --proxy-cgroup-parent P containerd: cgroup parent of the proxies (default /traffic-manager) [PROXY_CGROUP_PARENT]
  --proxy-image REF      Envoy image (default ${DEFAULT_CONFIG.proxyImage}) [PROXY_IMAGE]
  --xds-address H[:P]    traffic-control Service, fully qualified (default ${DEFAULT_CONFIG.xdsAddress}:${DEFAULT_CONFIG.xdsPort}) [XDS_ADDRESS]
  --xds-api KIND         ADS flavour of the proxies: sotw (state of the world) or delta (incremental;
                         only what changed, for many proxies) (default ${DEFAULT_CONFIG.xdsApi}) [XDS_API]
  --proxy-uid N          uid and gid Envoy runs as; never captured (default 1337) [PROXY_UID]
  --capture-port N       outbound capture port (default 10000) [CAPTURE_PORT]
  --admin-port N         Envoy admin port, on 127.0.0.1 in the pod (default 8900) [ADMIN_PORT]
  --stats-port N         Envoy's Prometheus listener /stats/prometheus (default 15090) [STATS_PORT]
  --metrics-port N       the agent's /metrics /healthz /readyz (default 15021; 0 = off) [METRICS_PORT]
  --resync D             full reconcile period, e.g. 30s (default 30s) [RESYNC]
  --ready-timeout D      how long a new Envoy may take to be ready (default 60s) [READY_TIMEOUT]
  --drain-seconds N      longest wait for open connections before a proxy stops (default 10) [DRAIN_SECONDS]
  --proxy-label K=V      extra label on proxy containers (repeatable)
  --zipkin-address H:P   Zipkin collector for the proxies' bootstrap [ZIPKIN_ADDRESS]
  --log-level LEVEL      fatal, error, warn, info, debug, trace (default info) [LOG_LEVEL]
  -h, --help             this text

Per-pod annotations: traffic.envoy.exclude-outbound-ports (e.g. "5432,6379"),
traffic.envoy.exclude-outbound-cidrs, traffic.envoy.include-outbound-cidrs (e.g. "10.0.0.0/8").
`;

const { values } = parseArgs({ options: AGENT_FLAGS, strict: true });

async function main(): Promise<void> {
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const config = configFromFlags(values);
  const log = createLogger({
    name: 'traffic-agent',
    level: fromEnv(values['log-level'], 'LOG_LEVEL'),
  });
  const runtimeFlags = runtimeFromFlags(values);
  const metricsPort = intFlag(
    'metrics-port',
    fromEnv(values['metrics-port'], 'METRICS_PORT'),
    15021,
    { min: 0, max: 65535 },
  );
  const kc = loadKubeConfig({ kubeconfig: values.kubeconfig });
  const kind = await resolveRuntimeKind(runtimeFlags, () =>
    nodeRuntimeKind(kc.makeApiClient(k8s.CoreV1Api), config.nodeName),
  );
  const runtime = createRuntime(kind, runtimeFlags, config.nodeName);
  const agent = new TrafficAgent({
    kc,
    runtime,
    config,
    log,
  });
  let ready = false;
  const http =
    metricsPort > 0
      ? await startAgentHttp({
          port: metricsPort,
          metrics: agent.metrics,
          ready: async () =>
            ready &&
            (await runtime.ping().then(
              () => true,
              () => false,
            )),
        })
      : undefined;
  const shutdown = (signal: string): void => {
    log.info({ signal }, 'shutting down; proxies keep running');
    http?.server.close();
    agent.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  await agent.start();
  ready = true;
  log.info(
    { node: config.nodeName, runtime: runtime.kind, metricsPort: http?.port },
    'traffic-agent started',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`traffic-agent: ${describeError(err)}\n`);
  process.exit(2);
});
