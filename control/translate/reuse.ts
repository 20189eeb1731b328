// Rebuilding a Service's bundle makes new objects even for resources whose content did not
// change (a weight change touches one route, not the clusters, endpoints or filter chain). The
// previous bundle's objects are kept where the content is equal: encoding is cached per object
// (xds/encode.ts), so they are not encoded again, and the outbound listener, whose filter chains
// are then the very same objects, is reused whole (ListenerMemo) instead of re-encoding every
// Service's chain. The resources are equal either way: same content, same bytes.
import type { Chain, Named, ServiceBundle } from './bundle.js';

function same(a: object, b: object): boolean {
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false; // not JSON (a bigint): just not reused
  }
}

function reuseNamed(next: Named[], prev: readonly Named[]): void {
  const old = new Map(prev.map((n) => [n.name, n.resource]));
  for (const n of next) {
    const o = old.get(n.name);
    if (o && same(o, n.resource)) n.resource = o;
  }
}

/** Replaces `next`'s objects by `prev`'s where their content is equal. */
export function reuseUnchanged(next: ServiceBundle, prev: ServiceBundle): void {
  reuseNamed(next.clusters, prev.clusters);
  reuseNamed(next.endpoints, prev.endpoints);
  reuseNamed(next.routes, prev.routes);
  reuseNamed(next.apiListeners, prev.apiListeners);
  const chains = new Map(prev.chains.map((c) => [c.match, c]));
  next.chains = next.chains.map((c) => {
    const o = chains.get(c.match);
    return o && same(o.chain, c.chain) ? o : c;
  });
}

/** The last outbound listener built per scope, reused while its chains are the same objects. */
export class ListenerMemo {
  private readonly last = new Map<string, { chains: readonly Chain[]; listener: object }>();

  listener(scope: string, chains: readonly Chain[], build: () => object): object {
    const hit = this.last.get(scope);
    if (hit?.chains.length === chains.length && hit.chains.every((c, i) => c === chains[i]))
      return hit.listener;
    const listener = build();
    this.last.set(scope, { chains, listener });
    return listener;
  }
}
