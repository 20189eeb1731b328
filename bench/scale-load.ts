// The scale benchmark's proxies: N lightweight ADS clients in their own process (so their work
// does not share traffic-control's event loop), SotW or delta, each on its own HTTP/2
// connection by default as every Envoy has, ACKing every response at once. Commands over IPC
// (see scale-proc.ts): start, quiet, acks, bytes, holds, stop.
import * as grpc from '@grpc/grpc-js';
import * as http2 from 'node:http2';
import {
  ADS_SERVICE,
  deltaRequest,
  discoveryRequest,
  type DiscoveryRequest,
} from '../control/xds/messages.js';
import { DeltaClient } from './scale-delta.js';
import { connect, H2Call, type AdsCall } from './scale-h2.js';
import { profile, serve } from './scale-proc.js';
import { SotwClient } from './scale-sotw.js';
import { lastActivity, now, Tracked, watched } from './scale-track.js';

/**
 * Requests as Envoy writes them, with the encoded name list reused while it is the same array:
 * SotW ACKs repeat 2,000 names, and encoding them 1,000 times per push would make the load
 * driver, not traffic-control, what the benchmark measures.
 */
const encodedNames = new WeakMap<readonly string[], Buffer>();

function serializeRequest(m: DiscoveryRequest): Buffer {
  const names = m.resource_names ?? [];
  if (names.length < 16) return discoveryRequest.encode(m as Record<string, unknown>);
  let region = encodedNames.get(names);
  if (!region)
    encodedNames.set(names, (region = discoveryRequest.encode({ resource_names: names })));
  const rest = discoveryRequest.encode({ ...m, resource_names: [] });
  return Buffer.concat([region, rest]);
}

const SERVICE = {
  ...ADS_SERVICE,
  StreamAggregatedResources: {
    ...ADS_SERVICE.StreamAggregatedResources,
    requestSerialize: serializeRequest,
  },
};

const Client = grpc.makeGenericClientConstructor(SERVICE, 'ADS');
type Stream = grpc.ClientDuplexStream<object, Buffer>;

const clients: (SotwClient | DeltaClient)[] = [];
const channels: grpc.Client[] = [];
const sessions: http2.ClientHttp2Session[] = [];
const tracked = new Map<string, Tracked>();

/** `TM_BENCH_SCALE_CLIENT=grpc-js` runs the proxies on grpc-js instead of bare HTTP/2. */
const GRPC_JS = process.env.TM_BENCH_SCALE_CLIENT === 'grpc-js';
const PATH = '/envoy.service.discovery.v3.AggregatedDiscoveryService/';

function grpcJsCall(port: number, first: boolean, delta: boolean): AdsCall<object> {
  if (first)
    channels.push(
      new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
        // Without it grpc-js shares one connection between channels to the same address.
        'grpc.use_local_subchannel_pool': 1,
        'grpc.max_receive_message_length': 64 * 2 ** 20,
      }),
    );
  const ch = channels.at(-1) as unknown as Record<string, (() => Stream) | undefined>;
  const method = delta ? ch.DeltaAggregatedResources : ch.StreamAggregatedResources;
  if (!method) throw new Error('no ADS method');
  return method.call(ch);
}

function h2Call(port: number, first: boolean, delta: boolean): AdsCall<object> {
  if (first) sessions.push(connect(port));
  const session = sessions.at(-1);
  if (!session) throw new Error('no HTTP/2 session');
  const serialize = (m: object): Buffer =>
    delta ? deltaRequest.encode(m as Record<string, unknown>) : serializeRequest(m);
  const method = delta ? 'DeltaAggregatedResources' : 'StreamAggregatedResources';
  return new H2Call<object>(session, PATH + method, serialize);
}

function open(port: number, nodeId: string, i: number, perChannel: number, delta: boolean): void {
  const first = i % perChannel === 0;
  const call = GRPC_JS ? grpcJsCall(port, first, delta) : h2Call(port, first, delta);
  const t = new Tracked(nodeId);
  tracked.set(nodeId, t);
  clients.push(delta ? new DeltaClient(call, t) : new SotwClient(call, t));
}

async function quiet(ms: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const gap = BigInt(ms) * 1_000_000n;
  while (now() - lastActivity < gap) {
    if (Date.now() > deadline) throw new Error(`no ${ms} ms without responses in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Number(now() - lastActivity) / 1e6;
}

/** Per node: type URL → [version, hrtime of its first ACK]. */
function acks(): Record<string, Record<string, [string, bigint]>> {
  const out: Record<string, Record<string, [string, bigint]>> = {};
  for (const [n, t] of tracked)
    out[n] = Object.fromEntries([...t.acked].map(([u, a]) => [u, [a.version, a.at]]));
  return out;
}

/** Per watched IP: how many proxies ever held it, still hold it, and when each dropped it. */
function holds(): Record<string, { held: number; still: string[]; dropped: bigint[] }> {
  const out: Record<string, { held: number; still: string[]; dropped: bigint[] }> = {};
  for (const ip of watched) {
    const h = { held: 0, still: [] as string[], dropped: [] as bigint[] };
    for (const t of tracked.values()) {
      if (!t.everHeld.has(ip)) continue;
      h.held++;
      const at = t.droppedAt.get(ip);
      if (t.holds(ip) || at === undefined) h.still.push(t.nodeId);
      else h.dropped.push(at);
    }
    out[ip] = h;
  }
  return out;
}

serve({
  start: (a) => {
    for (const ip of (a.watch as string[] | undefined) ?? []) watched.add(ip);
    const nodes = a.nodes as string[];
    const per = Number(a.perChannel ?? 1);
    nodes.forEach((n, i) => open(Number(a.port), n, i, per, a.delta === true));
    return { streams: clients.length, connections: channels.length + sessions.length };
  },
  clock: () => now(),
  quiet: (a) => quiet(Number(a.ms), Number(a.timeoutMs ?? 120_000)),
  gap: () => Number(now() - lastActivity) / 1e6,
  acks: () => acks(),
  bytes: (a) => {
    const t = tracked.get(String(a.node));
    return { bytes: t?.bytes ?? 0, responses: t?.responses ?? 0 };
  },
  holds: () => holds(),
  profile: (a) => profile(a.file as string | undefined),
  usage: () => ({ cpu: process.cpuUsage(), rss: process.memoryUsage().rss }),
  stop: () => {
    for (const c of clients) c.end();
    for (const ch of channels) ch.close();
    for (const s of sessions) s.close();
    setTimeout(() => process.exit(0), 100);
    return true;
  },
});
