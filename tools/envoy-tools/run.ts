// envoy-tools, as a function of its arguments and its dependencies (so tests run it in-process
// as well as through the bin): list, --logs, --remove, --check.
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { ProxyInfo } from '../../agent/runtime/types.js';
import { checkProxy, type CheckDeps } from './check.js';
import { removeProxy, type RemoveDeps } from './remove.js';
import { pickProxy, renderProxies } from './table.js';

export const HELP = `Usage: envoy-tools [flags]

The proxies traffic-agent runs on this node (run it in the agent pod).

  (no flag)            list proxies: ID | Pod | Namespace | Status | State
  -o, --output FMT     table (default) or json
  --id PREFIX          select one proxy by container id prefix
  --logs               its logs (stdout and stderr); --follow to stream, --tail N
  --remove             remove its capture rules and the proxy, clear the pod annotation
  --check              check capture rules and Envoy readiness (all proxies without --id)
  --docker-host URL    Docker API (default unix:///var/run/docker.sock) [DOCKER_HOST]
  --node-name NAME     only this node's proxies (default the agent pod's $NODE_NAME) [NODE_NAME]
  --kubeconfig PATH    kubeconfig for pod annotations (default in-cluster) [KUBECONFIG]
  --capture-port N --admin-port N --proxy-uid N   as given to the agent (defaults 10000, 8900, 1337)
  -h, --help           this text
Exit codes: 0 ok, 1 a check failed or the runtime is unreachable, 2 bad usage or no such proxy.
`;

export const TOOL_FLAGS = {
  output: { type: 'string', short: 'o', default: 'table' },
  id: { type: 'string' },
  logs: { type: 'boolean', default: false },
  follow: { type: 'boolean', short: 'f', default: false },
  tail: { type: 'string' },
  remove: { type: 'boolean', default: false },
  check: { type: 'boolean', default: false },
  'docker-host': { type: 'string' },
  'node-name': { type: 'string' },
  kubeconfig: { type: 'string' },
  'capture-port': { type: 'string' },
  'admin-port': { type: 'string' },
  'proxy-uid': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type ToolDeps = CheckDeps & RemoveDeps;

export interface ToolIo {
  out: Writable;
  err: Writable;
}

type Values = ReturnType<typeof parseArgs<{ options: typeof TOOL_FLAGS; strict: true }>>['values'];

function usage(io: ToolIo, msg: string): number {
  io.err.write(`envoy-tools: ${msg}\n`);
  return 2;
}

async function one(d: ToolDeps, io: ToolIo, id: string | undefined): Promise<ProxyInfo | number> {
  if (!id) return usage(io, 'this needs --id <container id prefix>');
  const pick = pickProxy(await d.runtime.listProxies(), id);
  if ('error' in pick) return usage(io, pick.error);
  return pick.proxy;
}

async function logs(d: ToolDeps, io: ToolIo, v: Values): Promise<number> {
  const p = await one(d, io, v.id);
  if (typeof p === 'number') return p;
  const tail = v.tail === undefined ? undefined : Number(v.tail);
  if (tail !== undefined && (!Number.isInteger(tail) || tail < 1))
    return usage(io, '--tail must be a positive integer');
  const stream = await d.runtime.logs(p.id, { follow: v.follow, ...(tail ? { tail } : {}) });
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (c: Buffer) => io.out.write(c));
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  return 0;
}

async function check(d: ToolDeps, io: ToolIo, v: Values): Promise<number> {
  let targets = await d.runtime.listProxies();
  if (v.id) {
    const p = await one(d, io, v.id);
    if (typeof p === 'number') return p;
    targets = [p];
  }
  let failed = 0;
  for (const p of targets) {
    const r = await checkProxy(d, p);
    if (!r.ok) failed++;
    io.out.write(
      `${p.id.slice(0, 12)} ${p.pod.namespace}/${p.pod.name}\n${r.lines.map((l) => `  ${l}\n`).join('')}`,
    );
  }
  io.out.write(`${targets.length - failed} of ${targets.length} proxies pass\n`);
  return failed > 0 ? 1 : 0;
}

export async function runEnvoyTools(v: Values, d: ToolDeps, io: ToolIo): Promise<number> {
  if (v.output !== 'table' && v.output !== 'json') return usage(io, '-o must be table or json');
  if ([v.logs, v.remove, v.check].filter(Boolean).length > 1) {
    return usage(io, '--logs, --remove and --check are exclusive');
  }
  if (v.logs) return logs(d, io, v);
  if (v.check) return check(d, io, v);
  if (v.remove) {
    const p = await one(d, io, v.id);
    if (typeof p === 'number') return p;
    for (const line of await removeProxy(d, p)) io.out.write(`${line}\n`);
    return 0;
  }
  let proxies = await d.runtime.listProxies();
  if (v.id) proxies = proxies.filter((p) => p.id.startsWith(v.id ?? ''));
  io.out.write(renderProxies(proxies, v.output));
  return 0;
}
