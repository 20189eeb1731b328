// A state-of-the-world ADS client that behaves like Envoy (the agent's bootstrap uses ADS over
// GRPC, i.e. SotW): wildcard CDS and LDS; EDS for the clusters it holds and RDS for the route
// tables its listeners name, each subscription update carrying the type's last version and
// nonce; every response ACKed at once. RDS and EDS responses may carry only some of the
// subscribed resources (the rest are kept, as Envoy keeps them), so endpoint sets are tracked
// per ClusterLoadAssignment.
import type { DiscoveryRequest } from '../control/xds/messages.js';
import { TYPE } from '../control/xds/types.js';
import type { AdsCall } from './scale-h2.js';
import { listenerRoutes, now, Tracked, watchedIps } from './scale-track.js';
import { anyValue, resourceName, sotwResponse, type SotwResponse } from './scale-wire.js';

type Call = AdsCall<DiscoveryRequest>;

interface TypeState {
  version: string;
  nonce: string;
  names: string[];
  /** EDS: per ClusterLoadAssignment held, the watched IPs in it. */
  watched: Map<string, string[]>;
}

/** Per type and version, what a response implies (identical for every whole-mesh proxy). */
const implied = new Map<string, string[]>();

function impliedBy(r: SotwResponse): string[] {
  const key = `${r.typeUrl}\u0000${r.version}`;
  let hit = implied.get(key);
  if (hit) return hit;
  const values = (): Uint8Array[] => r.resources().map(anyValue);
  if (r.typeUrl === TYPE.cluster) hit = values().map(resourceName).sort();
  else if (r.typeUrl === TYPE.listener)
    hit = [...new Set(values().flatMap((v, i) => listenerRoutes(`${key}#${i}`, v)))].sort();
  else hit = [];
  implied.set(key, hit);
  if (implied.size > 64) implied.delete(implied.keys().next().value ?? '');
  return hit;
}

export class SotwClient {
  private readonly types = new Map<string, TypeState>();

  constructor(
    private readonly call: Call,
    readonly track: Tracked,
  ) {
    call.on('data', (b: Buffer) => this.onResponse(b));
    call.on('error', () => {});
    call.write({ node: { id: track.nodeId }, type_url: TYPE.cluster, resource_names: [] });
    call.write({ type_url: TYPE.listener, resource_names: [] });
  }

  private state(url: string): TypeState {
    let st = this.types.get(url);
    if (!st) this.types.set(url, (st = { version: '', nonce: '', names: [], watched: new Map() }));
    return st;
  }

  private onResponse(b: Buffer): void {
    this.track.received(b.length);
    const r = sotwResponse(b);
    const st = this.state(r.typeUrl);
    st.version = r.version;
    st.nonce = r.nonce;
    this.call.write({
      type_url: r.typeUrl,
      version_info: r.version,
      response_nonce: r.nonce,
      resource_names: st.names,
    });
    const at = now();
    this.track.ack(r.typeUrl, r.version, at);
    if (r.typeUrl === TYPE.endpoint) return this.endpoints(st, r, at);
    const names = impliedBy(r);
    if (r.typeUrl === TYPE.cluster) this.follow(TYPE.endpoint, names, at);
    else if (r.typeUrl === TYPE.listener) this.follow(TYPE.route, names, at);
  }

  /** The assignments in the response replace the ones held under their names. */
  private endpoints(st: TypeState, r: SotwResponse, at: bigint): void {
    for (const value of r.resources().map(anyValue)) {
      const name = resourceName(value);
      const after = watchedIps(`${name}\u0000${r.version}`, value);
      this.track.endpoints(st.watched.get(name) ?? [], after, at);
      st.watched.set(name, after);
    }
  }

  /** Like Envoy: clusters lead to EDS subscriptions, listeners to RDS subscriptions. */
  private follow(url: string, wanted: string[], at: bigint): void {
    const st = this.state(url);
    if (st.names.length === wanted.length && st.names.every((n, i) => n === wanted[i])) return;
    st.names = wanted;
    // Unsubscribed assignments are dropped.
    const keep = new Set(wanted);
    for (const [name, ips] of st.watched)
      if (!keep.has(name)) {
        this.track.endpoints(ips, [], at);
        st.watched.delete(name);
      }
    this.call.write({
      type_url: url,
      version_info: st.version,
      response_nonce: st.nonce,
      resource_names: wanted,
    });
  }

  end(): void {
    this.call.end();
  }
}
