// The load side of the xDS benchmarks, run in its own process so its work does not share the
// control plane's event loop: N raw ADS streams that behave like Envoy (wildcard CDS and LDS,
// named EDS and RDS, every response ACKed at once) and record when each ACK went out.
import * as grpc from '@grpc/grpc-js';
import { ADS_SERVICE, discoveryResponse, type DiscoveryRequest } from '../control/xds/messages.js';
import { readableResource } from '../control/admin/readable.js';
import { TYPE } from '../control/xds/types.js';

const Client = grpc.makeGenericClientConstructor(ADS_SERVICE, 'ADS');
const STREAMS_PER_CHANNEL = 100;

interface Msg {
  cmd: 'start' | 'wait' | 'stop';
  port?: number;
  nodes?: string[];
  typeUrl?: string;
  version?: string;
}

interface Res {
  version_info: string;
  type_url: string;
  nonce: string;
  resources: { type_url: string; value: Uint8Array }[];
}

/** Per node: type → [version, hrtime ns of its ACK]. */
const acked = new Map<string, Map<string, [string, bigint]>>();
const calls: grpc.ClientDuplexStream<DiscoveryRequest, Buffer>[] = [];
const channels: grpc.Client[] = [];

function names(r: Res, field: 'cluster_name' | 'route_config_name'): string[] {
  if (field === 'cluster_name')
    return r.resources.map((a) => String(readableResource(a.type_url, a.value).name));
  const out = new Set<string>();
  for (const a of r.resources) {
    const l = readableResource(a.type_url, a.value);
    const m = /"route_config_name":"([^"]+)"/g;
    for (const hit of JSON.stringify(l).matchAll(m)) out.add(hit[1] ?? '');
  }
  return [...out];
}

function open(port: number, node: string, i: number): void {
  if (i % STREAMS_PER_CHANNEL === 0)
    channels.push(new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()));
  const ch = channels.at(-1) as grpc.Client;
  const call = (
    ch as unknown as Record<string, () => grpc.ClientDuplexStream<DiscoveryRequest, Buffer>>
  ).StreamAggregatedResources?.call(ch);
  if (!call) throw new Error('no ADS method');
  calls.push(call);
  const mine = new Map<string, [string, bigint]>();
  acked.set(node, mine);
  const subscribed: Record<string, string[]> = {};
  call.on('data', (b: Buffer) => {
    const r = discoveryResponse.decode(b) as unknown as Res;
    const resourceNames = subscribed[r.type_url] ?? [];
    call.write({
      type_url: r.type_url,
      version_info: r.version_info,
      response_nonce: r.nonce,
      resource_names: resourceNames,
    });
    mine.set(r.type_url, [r.version_info, process.hrtime.bigint()]);
    // Like Envoy: clusters lead to EDS subscriptions, listeners to RDS subscriptions.
    if (r.type_url === TYPE.cluster) follow(TYPE.endpoint, names(r, 'cluster_name'));
    if (r.type_url === TYPE.listener) follow(TYPE.route, names(r, 'route_config_name'));
  });
  call.on('error', () => {});
  const follow = (url: string, wanted: string[]): void => {
    const key = wanted.slice().sort().join(',');
    if ((subscribed[url] ?? []).slice().sort().join(',') === key) return;
    subscribed[url] = wanted;
    call.write({ type_url: url, resource_names: wanted });
  };
  call.write({ node: { id: node }, type_url: TYPE.cluster, resource_names: [] });
  call.write({ type_url: TYPE.listener, resource_names: [] });
}

async function waitFor(typeUrl: string, version: string, nodes: string[]): Promise<string[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const missing = nodes.filter((n) => acked.get(n)?.get(typeUrl)?.[0] !== version);
    if (missing.length === 0) break;
    if (Date.now() > deadline) throw new Error(`${missing.length} nodes never ACKed ${version}`);
    await new Promise((r) => setTimeout(r, 2));
  }
  return nodes.map((n) => String(acked.get(n)?.get(typeUrl)?.[1] ?? 0n));
}

process.on('message', (m: Msg) => {
  const reply = (x: unknown): void => {
    process.send?.(x);
  };
  if (m.cmd === 'start') {
    (m.nodes ?? []).forEach((n, i) => open(m.port ?? 0, n, i));
    reply({ ok: true });
  } else if (m.cmd === 'wait') {
    waitFor(m.typeUrl ?? '', m.version ?? '', m.nodes ?? []).then(
      (times) => reply({ ok: true, times }),
      (err: unknown) => reply({ ok: false, error: String(err) }),
    );
  } else {
    for (const c of calls) c.end();
    for (const ch of channels) ch.close();
    reply({ ok: true });
    setTimeout(() => process.exit(0), 100);
  }
});
