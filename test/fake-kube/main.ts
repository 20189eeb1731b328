// Standalone fake API server: `npm run fake-kube -- --port 8081 --kubeconfig out.yaml`.
// Serves until SIGINT/SIGTERM, then exits 0.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createFakeKube, type FakeKubeOptions } from './server.js';

interface Cli {
  options: FakeKubeOptions;
  kubeconfig?: string;
}

function parseCli(argv: string[]): Cli {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      kubeconfig: { type: 'string' },
      'no-controllers': { type: 'boolean', default: false },
      'kubelet-node': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
    strict: true,
  });
  if (values.help) {
    console.log(
      'usage: fake-kube [--port N] [--host ADDR] [--kubeconfig FILE] [--no-controllers] [--kubelet-node NAME]',
    );
    process.exit(0);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port: not a port number: ${values.port}`);
  return {
    options: {
      port,
      host: values.host,
      controllers: !values['no-controllers'],
      kubelet: values['kubelet-node'] ? { nodeName: values['kubelet-node'] } : undefined,
    },
    kubeconfig: values.kubeconfig,
  };
}

async function main(): Promise<void> {
  const cli = parseCli(process.argv.slice(2));
  const fake = await createFakeKube(cli.options);
  console.log(`fake-kube listening on ${fake.url} (pid ${process.pid})`);
  if (cli.kubeconfig) {
    const path = fake.writeKubeconfig(resolve(cli.kubeconfig));
    console.log(`kubeconfig written to ${path}`);
    console.log(`try: KUBECONFIG=${path} kubectl get pods -A`);
  } else {
    console.log('no --kubeconfig given; kubeconfig follows:');
    console.log(fake.kubeconfigYaml());
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`fake-kube: ${signal}, shutting down`);
    fake.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('fake-kube: close failed', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
