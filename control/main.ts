#!/usr/bin/env node
// traffic-control: the xDS control plane. Serves ADS on --xds-port and the admin API (health,
// readiness, metrics, debug views) on --admin-port; exits cleanly on SIGTERM.
import { parseArgs } from 'node:util';
import { PORT, boolFlag, fromEnv, intFlag } from '../lib/cli.js';
import { describeError } from '../lib/errors.js';
import { createLogger } from '../lib/log.js';
import { ControlPlane } from './plane.js';

const HELP = `Usage: traffic-control [flags]

The traffic-manager control plane: watches Services and workloads and serves Envoy v3 xDS (ADS,
state-of-the-world and incremental) to every proxy, one snapshot per node id <pod>.<namespace>.

Flags (environment variable in brackets):
  --kubeconfig PATH        kubeconfig file; default in-cluster or $KUBECONFIG [KUBECONFIG]
  --xds-port N             ADS gRPC port (default 18000) [XDS_PORT]
  --admin-port N           admin HTTP port: /healthz /readyz /metrics /debug/* (default 15010) [ADMIN_PORT]
  --debounce-ms N          quiet window before a push (default 100) [DEBOUNCE_MS]
  --debounce-max-ms N      longest a change waits under constant churn (default 1000) [DEBOUNCE_MAX_MS]
  --verify-peer-ip         refuse streams whose peer address is not the node's pod IP [VERIFY_PEER_IP]
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
    'log-level': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});

async function main(): Promise<void> {
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const log = createLogger({
    name: 'traffic-control',
    level: fromEnv(values['log-level'], 'LOG_LEVEL'),
  });
  const plane = new ControlPlane({
    log,
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
    defaultMetrics: true,
  });
  if (boolFlag(values['verify-peer-ip'] ?? process.env.VERIFY_PEER_IP, false)) {
    log.warn('--verify-peer-ip needs the cluster model; it takes effect once translation is wired');
  }
  const ports = await plane.start();
  plane.setReady();
  log.info(ports, 'traffic-control started');
  const shutdown = (signal: string): void => {
    log.info({ signal }, 'shutting down');
    plane.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`traffic-control: ${describeError(err)}\n`);
  process.exit(2);
});
