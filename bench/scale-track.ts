// What the load driver records per simulated proxy: the version of each type it ACKed and when
// (process.hrtime.bigint(), CLOCK_MONOTONIC, which every process on the machine shares), the
// bytes it received, and which of the watched (about to be deleted) pod IPs its endpoint sets
// hold, with the time of the ACK that dropped each one. Decoding is shared: whole-mesh proxies
// receive identical resources, so each distinct resource version is parsed once.
import { decodeResource } from '../control/xds/encode.js';
import { TYPE } from '../control/xds/types.js';
import { all, claAddresses, first, str } from './scale-wire.js';

export const now = (): bigint => process.hrtime.bigint();

/** Pod IPs whose presence in endpoint sets is tracked (the churn storm's victims). */
export const watched = new Set<string>();

const watchedInCla = new Map<string, string[]>();

/** The watched IPs among a ClusterLoadAssignment's addresses. */
export function watchedIn(value: Uint8Array): string[] {
  return watched.size === 0 ? [] : claAddresses(value).filter((ip) => watched.has(ip));
}

/** watchedIn, remembered under `key` (a resource name and version). */
export function watchedIps(key: string, value: Uint8Array): string[] {
  let hit = watchedInCla.get(key);
  if (!hit) watchedInCla.set(key, (hit = watchedIn(value)));
  return hit;
}

const routeNames = new Map<string, string[]>();

/** route_config_name of every HTTP connection manager in a Listener, remembered under `key`. */
export function listenerRoutes(key: string, value: Uint8Array): string[] {
  let hit = routeNames.get(key);
  if (!hit) routeNames.set(key, (hit = routesOf(value)));
  return hit;
}

function routesOf(value: Uint8Array): string[] {
  const out = new Set<string>();
  const chains = [...all(value, 3), ...all(value, 25)];
  for (const filter of chains.flatMap((c) => all(c, 3))) {
    const any = first(filter, 4);
    if (!any || !str(first(any, 1)).endsWith('HttpConnectionManager')) continue;
    const rds = first(first(any, 2) ?? new Uint8Array(), 3);
    if (rds) out.add(str(first(rds, 2)));
  }
  if (chains.length === 0) addApiListenerRoute(value, out);
  return [...out].sort();
}

function addApiListenerRoute(value: Uint8Array, out: Set<string>): void {
  const text = JSON.stringify(decodeResource(TYPE.listener, value));
  for (const m of text.matchAll(/"route_config_name":"([^"]+)"/g)) out.add(m[1] ?? '');
}

export interface Ack {
  version: string;
  /** When the first ACK of this version went out. */
  at: bigint;
}

export class Tracked {
  readonly acked = new Map<string, Ack>();
  bytes = 0;
  responses = 0;
  /** Watched IP → number of this proxy's endpoint sets holding it. */
  private readonly holding = new Map<string, number>();
  /** Watched IP → when the ACK of the response that dropped it went out. */
  readonly droppedAt = new Map<string, bigint>();
  readonly everHeld = new Set<string>();

  constructor(readonly nodeId: string) {}

  received(bytes: number): void {
    this.bytes += bytes;
    this.responses++;
    lastActivity = now();
  }

  ack(typeUrl: string, version: string, at: bigint): void {
    if (this.acked.get(typeUrl)?.version !== version) this.acked.set(typeUrl, { version, at });
  }

  /** One endpoint set now holds `after` instead of `before` (watched IPs only). */
  endpoints(before: readonly string[], after: readonly string[], at: bigint): void {
    for (const ip of after) {
      this.holding.set(ip, (this.holding.get(ip) ?? 0) + 1);
      this.everHeld.add(ip);
      this.droppedAt.delete(ip);
    }
    for (const ip of before) {
      const left = (this.holding.get(ip) ?? 1) - 1;
      if (left > 0) this.holding.set(ip, left);
      else {
        this.holding.delete(ip);
        this.droppedAt.set(ip, at);
      }
    }
  }

  holds(ip: string): boolean {
    return (this.holding.get(ip) ?? 0) > 0;
  }
}

/** When the last response arrived, on any stream. */
export let lastActivity = now();
