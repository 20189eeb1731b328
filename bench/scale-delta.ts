// An incremental (delta) ADS client that behaves like Envoy with api_type DELTA_GRPC: wildcard
// CDS and LDS; EDS subscriptions follow the clusters it holds and RDS subscriptions the route
// tables its listeners name (subscribe and unsubscribe by difference); every response ACKed at
// once. The ACKed "version" recorded is the response's system_version_info.
import type { DeltaDiscoveryRequest } from '../control/xds/messages.js';
import { TYPE } from '../control/xds/types.js';
import type { AdsCall } from './scale-h2.js';
import { listenerRoutes, now, Tracked, watchedIps } from './scale-track.js';
import { deltaResponse, type DeltaResponse } from './scale-wire.js';

type Call = AdsCall<DeltaDiscoveryRequest>;

interface TypeState {
  /** Resource name → what it implies (route names of a listener, watched IPs of a CLA). */
  held: Map<string, string[]>;
  subscribed: Set<string>;
  started: boolean;
}

export class DeltaClient {
  private readonly types = new Map<string, TypeState>();

  constructor(
    private readonly call: Call,
    readonly track: Tracked,
  ) {
    call.on('data', (b: Buffer) => this.onResponse(b));
    call.on('error', () => {});
    call.write({ node: { id: track.nodeId }, type_url: TYPE.cluster });
    call.write({ type_url: TYPE.listener });
    this.state(TYPE.cluster).started = true;
    this.state(TYPE.listener).started = true;
  }

  private state(url: string): TypeState {
    let st = this.types.get(url);
    if (!st) this.types.set(url, (st = { held: new Map(), subscribed: new Set(), started: false }));
    return st;
  }

  private onResponse(b: Buffer): void {
    this.track.received(b.length);
    const r = deltaResponse(b);
    this.call.write({ type_url: r.typeUrl, response_nonce: r.nonce });
    const at = now();
    this.track.ack(r.typeUrl, r.version, at);
    const st = this.state(r.typeUrl);
    const before: string[] = [];
    const after: string[] = [];
    for (const name of r.removed) {
      before.push(...(st.held.get(name) ?? []));
      st.held.delete(name);
    }
    for (const res of r.resources) {
      before.push(...(st.held.get(res.name) ?? []));
      const implied = this.implied(r, res.name, res.version, res.value);
      st.held.set(res.name, implied);
      after.push(...implied);
    }
    if (r.typeUrl === TYPE.endpoint) this.track.endpoints(before, after, at);
    else if (r.typeUrl === TYPE.cluster) this.follow(TYPE.endpoint, new Set(st.held.keys()));
    else if (r.typeUrl === TYPE.listener)
      this.follow(TYPE.route, new Set([...st.held.values()].flat()));
  }

  private implied(r: DeltaResponse, name: string, version: string, value: Uint8Array): string[] {
    const key = `${name}\u0000${version}`;
    if (r.typeUrl === TYPE.endpoint) return watchedIps(key, value);
    if (r.typeUrl === TYPE.listener) return listenerRoutes(key, value);
    return [];
  }

  private follow(url: string, wanted: Set<string>): void {
    const st = this.state(url);
    const subscribe = [...wanted].filter((n) => !st.subscribed.has(n));
    const unsubscribe = [...st.subscribed].filter((n) => !wanted.has(n));
    if (subscribe.length === 0 && unsubscribe.length === 0 && st.started) return;
    st.subscribed = wanted;
    st.started = true;
    this.call.write({
      type_url: url,
      resource_names_subscribe: subscribe,
      resource_names_unsubscribe: unsubscribe,
    });
  }

  end(): void {
    this.call.end();
  }
}
