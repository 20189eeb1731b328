// Convergence as the scale benchmark judges it: the server's record of what it last sent each
// proxy (per type) must equal what the load process ACKed last, once the proxies have been quiet
// for a while; a change's latency for one proxy is from the kube write to its ACK of the last of
// the types the change touched. Everything is read after the fact, so polling never competes
// with a push in progress.
import { TYPE, typeFromKey } from '../control/xds/types.js';
import type { Loads } from './scale-loads.js';
import type { Child } from './scale-proc.js';

/** Per node, type key → [version last sent, version last ACKed] (the server's view). */
export type ServerSync = Record<string, Record<string, [string, string]>>;
/** Per node, type URL → [version, hrtime of its first ACK] (the load process's view). */
export type LoadAcks = Record<string, Record<string, [string, bigint]>>;

export interface Procs {
  kube: Child;
  control: Child;
  load: Loads;
}

export interface Converged {
  server: ServerSync;
  acks: LoadAcks;
  /** Nodes where a type's sent version changed against `before`, with the type URLs. */
  affected: Map<string, string[]>;
  /** CPU microseconds traffic-control used from `cpuFrom` to the first quiet moment after. */
  cpuUs: number;
}

export interface Usage {
  cpu: { user: number; system: number };
  mem: NodeJS.MemoryUsage;
}

/** `gc`: after a full GC; `settle`: then a second one once freed buffers are given back. */
export async function controlUsage(p: Procs, gc = false, settle = false): Promise<Usage> {
  return p.control.call<Usage>('usage', { gc, settle });
}

export const cpuUs = (u: Usage): number => u.cpu.user + u.cpu.system;

/** What is not yet in sync (empty when every node ACKed the last version of every type sent). */
function lagging(nodes: string[], server: ServerSync, acks: LoadAcks): string[] {
  const out: string[] = [];
  for (const n of nodes) {
    const types = Object.entries(server[n] ?? {});
    if (types.length < 4) out.push(`${n}: ${types.length} types sent`);
    for (const [key, [sent]] of types) {
      const url = typeFromKey(key) ?? '';
      const got = acks[n]?.[url]?.[0];
      if (sent === '' || got !== sent) out.push(`${n} ${key}: sent ${sent}, ACKed ${got ?? '-'}`);
    }
  }
  return out;
}

function changed(nodes: string[], before: ServerSync, after: ServerSync): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const n of nodes) {
    const urls = Object.entries(after[n] ?? {})
      .filter(([k, [sent]]) => before[n]?.[k]?.[0] !== sent)
      .map(([k]) => typeFromKey(k) ?? TYPE.cluster);
    if (urls.length > 0) out.set(n, urls);
  }
  return out;
}

export interface WaitOptions {
  nodes: string[];
  before: ServerSync;
  /** At least this long after the change before the first look (the debounce window). */
  minMs: number;
  /** How many nodes must be affected before we call it converged. */
  expectAffected: number;
  cpuFrom: number;
  quietMs?: number;
  timeoutMs?: number;
}

/** Waits until the change reached every affected node; throws with the stragglers on timeout. */
export async function converge(p: Procs, o: WaitOptions): Promise<Converged> {
  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  await new Promise((r) => setTimeout(r, o.minMs));
  let problem = '';
  while (Date.now() < deadline) {
    await p.load.quiet(o.quietMs ?? 300, deadline - Date.now());
    const usage = await controlUsage(p);
    await p.control.call('idle');
    const server = await p.control.call<ServerSync>('sync', { nodes: o.nodes });
    const acks = await p.load.acks();
    const affected = changed(o.nodes, o.before, server);
    const behind = lagging(o.nodes, server, acks);
    if (behind.length === 0 && affected.size >= o.expectAffected)
      return { server, acks, affected, cpuUs: cpuUs(usage) - o.cpuFrom };
    problem = `${affected.size} affected of ${o.expectAffected}; behind: ${behind.slice(0, 3).join('; ')}`;
  }
  throw new Error(`not converged: ${problem}`);
}

/** Per affected node, ms from `t0` to its ACK of the last changed type. */
export function latencies(c: Converged, t0: bigint): number[] {
  const out: number[] = [];
  for (const [n, urls] of c.affected) {
    let last = 0n;
    for (const u of urls) {
      const at = c.acks[n]?.[u]?.[1] ?? 0n;
      if (at > last) last = at;
    }
    out.push(Number(last - t0) / 1e6);
  }
  return out.sort((a, b) => a - b);
}

/** Checks that every child reads the same monotonic clock: parent before ≤ child ≤ parent after. */
export async function checkClock(children: Child[]): Promise<number> {
  let worst = 0;
  for (const c of children) {
    const before = process.hrtime.bigint();
    const theirs = await c.call<bigint>('clock');
    const after = process.hrtime.bigint();
    if (theirs < before || theirs > after)
      throw new Error(
        `${c.name}'s hrtime is not this process's clock (${theirs} ∉ [${before}, ${after}])`,
      );
    worst = Math.max(worst, Number(after - before) / 1e6);
  }
  return worst;
}
