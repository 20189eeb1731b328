#!/usr/bin/env node
// envoy-config: one proxy's configuration as traffic-control serves it, with its sync state.
// Reads the control plane's admin API; it never opens an xDS stream, so it cannot disturb the
// server or hang on a type that has no resources.
import { parseArgs } from 'node:util';
import { header, render, unknownNodeMessage, type Dump } from './format.js';

const HELP = `Usage: envoy-config --nodeId <pod>.<namespace> [flags]
       envoy-config --list

Shows the Envoy configuration traffic-control serves to one proxy, with a header per type:
SYNCED (the proxy acknowledged this version), STALE (sent, not yet acknowledged), NACKED (the
proxy rejected it; the error is shown) or NOT SENT.

  --nodeId ID         the proxy's node id: <pod>.<namespace>
  --type TYPE         listener, route, cluster, endpoint, secret or all (default all)
  --resource NAME     only this resource
  -o, --output FMT    yaml (default) or json
  --server HOST:PORT  traffic-control admin address (default $TRAFFIC_CONTROL_ADMIN or 127.0.0.1:15010)
  --timeout MS        give up after this long (default 5000)
  --list              list every proxy with its sync state
  -h, --help          this text
Exit codes: 0 ok, 1 control plane unreachable or error, 2 unknown node id or bad usage.
`;

interface Args {
  nodeId?: string;
  type: string;
  resource?: string;
  output: 'yaml' | 'json';
  server: string;
  timeout: number;
  list: boolean;
}

class Usage extends Error {}

function parse(argv: string[]): Args | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      nodeId: { type: 'string' },
      type: { type: 'string', default: 'all' },
      resource: { type: 'string' },
      output: { type: 'string', short: 'o', default: 'yaml' },
      server: { type: 'string' },
      timeout: { type: 'string', default: '5000' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const output = values.output;
  if (output !== 'yaml' && output !== 'json')
    throw new Usage(`-o must be yaml or json, got "${output}"`);
  if (!values.list && !values.nodeId)
    throw new Usage('--nodeId <pod>.<namespace> is required (or --list)');
  const timeout = Number(values.timeout);
  if (!Number.isInteger(timeout) || timeout <= 0)
    throw new Usage('--timeout must be a positive integer');
  const server = values.server ?? process.env.TRAFFIC_CONTROL_ADMIN ?? '127.0.0.1:15010';
  return {
    nodeId: values.nodeId,
    type: values.type,
    resource: values.resource,
    output,
    server,
    timeout,
    list: values.list,
  };
}

async function get(args: Args, path: string): Promise<{ status: number; body: unknown }> {
  const url = `http://${args.server}${path}`;
  const res = await fetch(url, { signal: AbortSignal.timeout(args.timeout) });
  return { status: res.status, body: await res.json() };
}

async function list(args: Args): Promise<number> {
  const { body } = await get(args, '/debug/syncz');
  const rows = body as { nodeId: string; connected: boolean; state: Record<string, string> }[];
  const lines = rows.map((r) => {
    const states = Object.entries(r.state)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    return `${r.nodeId.padEnd(50)} ${(r.connected ? 'connected' : 'offline').padEnd(10)} ${states}`;
  });
  process.stdout.write(
    `${'NODE ID'.padEnd(50)} ${'STREAM'.padEnd(10)} SYNC\n${lines.join('\n')}\n`,
  );
  return 0;
}

async function show(args: Args): Promise<number> {
  const q = new URLSearchParams({ node: args.nodeId ?? '', type: args.type });
  if (args.resource) q.set('resource', args.resource);
  const { status, body } = await get(args, `/debug/config_dump?${q.toString()}`);
  const b = body as { error?: string; nodes?: string[] };
  if (status === 404) {
    process.stderr.write(`${unknownNodeMessage(args.nodeId ?? '', b.nodes ?? [])}\n`);
    return 2;
  }
  if (status !== 200) {
    process.stderr.write(`envoy-config: ${b.error ?? `HTTP ${status}`}\n`);
    return status === 400 ? 2 : 1;
  }
  const dump = body as Dump;
  process.stdout.write(render(dump, args.output));
  if (args.output === 'json') process.stderr.write(`${header(dump)}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  let args: Args | 'help';
  try {
    args = parse(argv);
  } catch (err) {
    process.stderr.write(
      `envoy-config: ${err instanceof Error ? err.message : String(err)}\n\n${HELP}`,
    );
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  try {
    return await (args.list ? list(args) : show(args));
  } catch (err) {
    const why =
      err instanceof Error && err.name === 'TimeoutError'
        ? `no answer within ${args.timeout} ms`
        : String(err instanceof Error && err.cause ? err.cause : err);
    process.stderr.write(`envoy-config: cannot read traffic-control at ${args.server}: ${why}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
