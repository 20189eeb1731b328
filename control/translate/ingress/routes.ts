// The gateway's route table: one virtual host per Ingress host (`*` for rules without one), its
// path routes most specific first, then the host's catch-all (the default backend of an Ingress
// with rules for that host, else the first Ingress's default backend). Every route to a Service
// takes the Service's own route action and filter configs, exactly as in-mesh callers get them:
// dark-launch routes first (the same path plus the header), then the version split.
import type { Named, PortRouting } from '../service.js';
import { darkLaunchRoute, defaultRouteAction, perFilterConfig } from '../route.js';
import { ingressVhostName } from '../names.js';
import { compareMatches, matchesAll, type PathMatch } from './paths.js';

/** One Service port as the gateway routes to it, with the resources that port needs. */
export interface GatewayBackend {
  routing: PortRouting;
  clusters: readonly Named[];
  endpoints: readonly Named[];
}

export interface RouteEntry {
  match: PathMatch;
  backend: GatewayBackend;
  /** Route name: `<namespace>/<ingress>`. */
  name: string;
}

export interface HostRoutes {
  routes: RouteEntry[];
  /** The host's own default backend (an Ingress with rules for it has one). */
  fallback?: { backend: GatewayBackend; name: string };
}

/** The routes that send `match` to `b`: its dark launches, then its version split. */
export function backendRoutes(
  match: Record<string, string>,
  b: GatewayBackend,
  name: string,
): object[] {
  const { policy, protocol, target } = b.routing;
  const filters = perFilterConfig(policy, target.cluster);
  return [
    ...policy.darkLaunch.map((d) => ({
      ...darkLaunchRoute(d, policy, protocol, target, match),
      name: `${name}|dark-launch-${d.version}`,
      ...filters,
    })),
    { name, match, route: defaultRouteAction(policy, protocol, target), ...filters },
  ];
}

function hostOrder(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '*' || b === '*') return a === '*' ? 1 : -1;
  return a < b ? -1 : 1;
}

function virtualHost(
  host: string,
  h: HostRoutes,
  global: HostRoutes['fallback'],
  used: Set<GatewayBackend>,
): object | undefined {
  const sorted = [...h.routes].sort((a, b) => compareMatches(a.match, b.match));
  const routes = sorted.flatMap((r) => backendRoutes(r.match.match, r.backend, r.name));
  for (const r of sorted) used.add(r.backend);
  const fallback = h.fallback ?? global;
  if (fallback && !sorted.some((r) => matchesAll(r.match))) {
    routes.push(...backendRoutes({ prefix: '/' }, fallback.backend, `${fallback.name}|default`));
    used.add(fallback.backend);
  }
  if (routes.length === 0) return undefined;
  return { name: ingressVhostName(host), domains: [host], routes };
}

/**
 * Virtual hosts for `hosts` (host → routes), `*` last; `global` is the catch-all of hosts
 * without a default backend of their own, and of requests for any other host. `used`: the
 * backends the routes send to (whose clusters the gateway needs).
 */
export function virtualHosts(
  hosts: ReadonlyMap<string, HostRoutes>,
  global: HostRoutes['fallback'],
): { vhosts: object[]; used: Set<GatewayBackend> } {
  const all = new Map(hosts);
  if (global && !all.has('*')) all.set('*', { routes: [] });
  const vhosts: object[] = [];
  const used = new Set<GatewayBackend>();
  for (const host of [...all.keys()].sort(hostOrder)) {
    const h = all.get(host) ?? { routes: [] };
    // A named host with neither routes nor a default of its own is served by `*`.
    if (host !== '*' && h.routes.length === 0 && !h.fallback) continue;
    const vh = virtualHost(host, h, global, used);
    if (vh) vhosts.push(vh);
  }
  return { vhosts, used };
}
