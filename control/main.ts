#!/usr/bin/env node
// traffic-control: the xDS control plane. Serves ADS on --xds-port and the admin API (health,
// readiness, metrics, debug views) on --admin-port; exits cleanly on SIGTERM.
import { parseArgs } from 'node:util';
import { PORT, boolFlag, fromEnv, intFlag } from '../lib/cli.js';
import { InvalidArgumentError, describeError } from '../lib/errors.js';
import type { TranslateOptions } from './translate/service.js';
import { createLogger } from '../lib/log.js';
import { loadKubeConfig } from '../lib/kube.js';
import { INGRESS_CONTROLLER } from './policy/ingress-class.js';
import { TrafficControl } from './traffic-control.js';

const HELP = `Usage: traffic-control [flags]

The traffic-manager control plane: watches Services and workloads and serves Envoy v3 xDS (ADS,
state-of-the-world and incremental) to every proxy, one snapshot per node id <pod>.<namespace>.

Flags (environment variable in brackets):
  --kubeconfig PATH        kubeconfig file; default in-cluster or $KUBECONFIG [KUBECONFIG]
  --xds-port N             ADS gRPC port (default 18000) [XDS_PORT]
  --admin-port N           admin HTTP port: /healthz /readyz /metrics /debug/* (default 15010) [ADMIN_PORT]
  --debounce-ms N          quiet window before a push (default 100) [DEBOUNCE_MS]
  --debounce-max-ms N      longest a change waits under constant churn (default 1000; endpoints
                           going away wait only the quiet window) [DEBOUNCE_MAX_MS]
  --verify-peer-ip         refuse streams whose peer address is not the node's pod IP [VERIFY_PEER_IP]
  --capture-port N         the proxies' outbound capture port (default 10000) [CAPTURE_PORT]
  --version-label KEY      pod label that names a version for traffic.version.* (default version) [VERSION_LABEL]
  --cluster-domain D       cluster DNS domain for proxyless gRPC names (default cluster.local) [CLUSTER_DOMAIN]
  --zipkin-address H:P     Zipkin collector; traffic.tracing.enabled needs it [ZIPKIN_ADDRESS]
  --ingress-class NAME     IngressClass the gateway (node traffic-ingress) serves (default
                           traffic-manager); its spec.controller: ${INGRESS_CONTROLLER}
                           [INGRESS_CLASS]
  --ingress-service NS/N   the gateway's Service, whose address Ingress status reports (default
                           traffic-ingress in our namespace) [INGRESS_SERVICE]
  --log-level LEVEL        fatal, error, warn, info, debug, trace (default info) [LOG_LEVEL]
  -h, --help               this text
`;

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    'xds-port': { type: 'string' },
    'admin-port': { type: 'string' },
    'debounce-ms': { type: 'string' },
    'debounce-max-ms': { type: 'string' },
    'verify-peer-ip': { type: 'boolean' },
    'capture-port': { type: 'string' },
    'version-label': { type: 'string' },
    'cluster-domain': { type: 'string' },
    'zipkin-address': { type: 'string' },
    'ingress-class': { type: 'string' },
    'ingress-service': { type: 'string' },
    'log-level': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});

function translateOptions(): Partial<TranslateOptions> {
  const out: Partial<TranslateOptions> = {
    capturePort: intFlag('capture-port', fromEnv(values['capture-port'], 'CAPTURE_PORT'), 10000, {
      min: 1,
      max: 65535,
    }),
  };
  const label = fromEnv(values['version-label'], 'VERSION_LABEL');
  if (label !== undefined) out.versionLabel = label;
  const domain = fromEnv(values['cluster-domain'], 'CLUSTER_DOMAIN');
  if (domain !== undefined) out.clusterDomain = domain;
  const zipkin = fromEnv(values['zipkin-address'], 'ZIPKIN_ADDRESS');
  if (zipkin !== undefined) out.zipkin = hostPort('zipkin-address', zipkin);
  return out;
}

const DNS_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function ingressOptions(): { ingressClass?: string; ingressService?: string } {
  const cls = fromEnv(values['ingress-class'], 'INGRESS_CLASS');
  if (cls !== undefined && !DNS_NAME.test(cls))
    throw new InvalidArgumentError(`--ingress-class must be an IngressClass name, got "${cls}"`);
  const svc = fromEnv(values['ingress-service'], 'INGRESS_SERVICE');
  if (svc !== undefined && !/^[a-z0-9-]+\/[a-z0-9-]+$/.test(svc))
    throw new InvalidArgumentError(`--ingress-service must be namespace/name, got "${svc}"`);
  return {
    ...(cls !== undefined ? { ingressClass: cls } : {}),
    ...(svc !== undefined ? { ingressService: svc } : {}),
  };
}

function hostPort(flag: string, v: string): { host: string; port: number } {
  const m = /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(v);
  if (!m) throw new InvalidArgumentError(`--${flag} must be host:port, got "${v}"`);
  return { host: m[1] ?? '', port: intFlag(flag, m[2], 0, { min: 1, max: 65535 }) };
}

async function main(): Promise<void> {
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const log = createLogger({
    name: 'traffic-control',
    level: fromEnv(values['log-level'], 'LOG_LEVEL'),
  });
  const tc = new TrafficControl({
    log,
    kc: loadKubeConfig({ kubeconfig: values.kubeconfig }),
    xdsPort: intFlag('xds-port', fromEnv(values['xds-port'], 'XDS_PORT'), 18000, PORT),
    adminPort: intFlag('admin-port', fromEnv(values['admin-port'], 'ADMIN_PORT'), 15010, PORT),
    debounceMs: intFlag('debounce-ms', fromEnv(values['debounce-ms'], 'DEBOUNCE_MS'), 100, {
      min: 0,
      max: 60_000,
    }),
    debounceMaxMs: intFlag(
      'debounce-max-ms',
      fromEnv(values['debounce-max-ms'], 'DEBOUNCE_MAX_MS'),
      1000,
      { min: 0, max: 600_000 },
    ),
    verifyPeerIp: boolFlag(values['verify-peer-ip'] ?? process.env.VERIFY_PEER_IP, false),
    translate: translateOptions(),
    ...ingressOptions(),
    defaultMetrics: true,
  });
  const shutdown = (signal: string): void => {
    log.info({ signal }, 'shutting down');
    tc.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  const ports = await tc.listen();
  log.info(ports, 'traffic-control started');
  await tc.sync();
}

main().catch((err: unknown) => {
  process.stderr.write(`traffic-control: ${describeError(err)}\n`);
  process.exit(2);
});
