// What the churn storm shows: how long after the last write the last proxy had ACKed its final
// config, and for every (deleted pod, proxy that held it) pair how long the proxy kept an
// endpoint set containing the deleted pod, from the pod's delete to the ACK that dropped it.
import { percentile } from './machine.js';
import type { StormTimes } from './scale-kube.js';
import type { Converged } from './scale-measure.js';

/** Per watched IP (a replaced pod's): how many proxies held it, which still do, when each dropped it. */
export type Holds = Record<string, { held: number; still: string[]; dropped: bigint[] }>;

export interface StormResult {
  replaced: number;
  writes: number;
  spanMs: number;
  /** Per node: ms from the last write to its ACK of its final config (0 if it was there before). */
  convergeP99: number;
  convergeMax: number;
  /** Over all (deleted pod, proxy) pairs. */
  pairs: number;
  holdP50: number;
  holdP99: number;
  holdMax: number;
  /** Pairs where the proxy still holds the deleted pod at the end. */
  stillHeld: number;
  cpuS: number;
}

function afterLast(c: Converged, lastAt: bigint): number[] {
  const out: number[] = [];
  for (const types of Object.values(c.acks)) {
    let last = 0n;
    for (const [, at] of Object.values(types)) if (at > last) last = at;
    out.push(Math.max(0, Number(last - lastAt) / 1e6));
  }
  return out.sort((a, b) => a - b);
}

export function stormResult(t: StormTimes, holds: Holds, c: Converged): StormResult {
  const deleted = new Map(t.pods.map((p) => [p.ip, p.deletedAt]));
  const hold: number[] = [];
  let still = 0;
  for (const [ip, h] of Object.entries(holds)) {
    const at = deleted.get(ip);
    if (at === undefined) continue;
    still += h.still.length;
    for (const d of h.dropped) hold.push(Number(d - at) / 1e6);
  }
  hold.sort((a, b) => a - b);
  const conv = afterLast(c, t.lastAt);
  return {
    replaced: t.pods.length,
    writes: t.writes,
    spanMs: Number(t.lastAt - t.firstAt) / 1e6,
    convergeP99: percentile(conv, 99),
    convergeMax: conv.at(-1) ?? NaN,
    pairs: hold.length + still,
    holdP50: percentile(hold, 50),
    holdP99: percentile(hold, 99),
    holdMax: hold.at(-1) ?? NaN,
    stillHeld: still,
    cpuS: c.cpuUs / 1e6,
  };
}
