// Walks listeners and route tables for the names they point at: RDS route tables used by
// HttpConnectionManagers, clusters used by routes, mirrors and tcp_proxy, and weighted-cluster
// weights. Objects are read defensively (unknown, narrowed), never trusted.
import { isRecord, join, stableKey, where, type Dict } from './values.js';

export interface RefCtx {
  /** Prefix naming the resource, e.g. `listener "l1"`. */
  label: string;
  out: string[];
  clusters: ReadonlySet<string>;
  routes: ReadonlySet<string>;
}

const HCM = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const TCP_PROXY = 'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';

export function problem(c: RefCtx, path: string, text: string): void {
  c.out.push(`${c.label}: ${where(path)}: ${text}`);
}

function rec(v: unknown): Dict | undefined {
  return isRecord(v) ? v : undefined;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function clusterRef(c: RefCtx, name: unknown, path: string): void {
  if (typeof name !== 'string' || name === '') return;
  if (!c.clusters.has(name)) problem(c, path, `Cluster ${JSON.stringify(name)} does not exist`);
}

function weightOf(w: unknown): number {
  const v = isRecord(w) ? w.value : w;
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : 0;
}

/** Route or tcp_proxy weighted_clusters: every name exists, the weights sum above zero. */
function checkWeighted(c: RefCtx, wc: Dict, path: string): void {
  let sum = 0;
  list(wc.clusters).forEach((item, k) => {
    const cw = rec(item) ?? {};
    const here = `${path}.clusters[${k}]`;
    if (typeof cw.name === 'string' && cw.name !== '') clusterRef(c, cw.name, `${here}.name`);
    else if (!cw.cluster_header) problem(c, `${here}.name`, 'weighted cluster has no name');
    sum += weightOf(cw.weight);
  });
  if (sum <= 0) problem(c, path, `weights sum to ${sum}; the total must be > 0`);
}

function checkMirrors(c: RefCtx, holder: Dict, path: string): void {
  list(holder.request_mirror_policies).forEach((m, k) => {
    clusterRef(c, rec(m)?.cluster, `${path}.request_mirror_policies[${k}].cluster`);
  });
}

function checkRoute(c: RefCtx, route: Dict, path: string): void {
  const action = rec(route.route);
  if (!action) return;
  const p = join(path, 'route');
  clusterRef(c, action.cluster, `${p}.cluster`);
  const wc = rec(action.weighted_clusters);
  if (wc) checkWeighted(c, wc, `${p}.weighted_clusters`);
  checkMirrors(c, action, p);
}

/** A RouteConfiguration (RDS resource or inline in an HCM). */
export function checkRouteConfig(c: RefCtx, rc: Dict, path: string): void {
  checkMirrors(c, rc, path);
  list(rc.virtual_hosts).forEach((vh, i) => {
    const host = rec(vh) ?? {};
    const hp = join(path, `virtual_hosts[${i}]`);
    checkMirrors(c, host, hp);
    list(host.routes).forEach((r, j) => checkRoute(c, rec(r) ?? {}, `${hp}.routes[${j}]`));
  });
}

function checkHcm(c: RefCtx, hcm: Dict, path: string): void {
  const rds = rec(hcm.rds);
  const name = rds?.route_config_name;
  if (rds && (typeof name !== 'string' || !c.routes.has(name))) {
    problem(
      c,
      `${path}.rds.route_config_name`,
      `RouteConfiguration ${JSON.stringify(name)} does not exist`,
    );
  }
  const inline = rec(hcm.route_config);
  if (inline) checkRouteConfig(c, inline, `${path}.route_config`);
}

function checkTcpProxy(c: RefCtx, proxy: Dict, path: string): void {
  clusterRef(c, proxy.cluster, `${path}.cluster`);
  const wc = rec(proxy.weighted_clusters);
  if (wc) checkWeighted(c, wc, `${path}.weighted_clusters`);
}

function checkNetworkFilter(c: RefCtx, config: Dict, path: string): void {
  const url = typeof config['@type'] === 'string' ? config['@type'] : '';
  const type = url.slice(url.lastIndexOf('/') + 1);
  if (type === HCM) checkHcm(c, config, path);
  else if (type === TCP_PROXY) checkTcpProxy(c, config, path);
}

function checkChain(c: RefCtx, chain: Dict, path: string): void {
  list(chain.filters).forEach((f, j) => {
    const config = rec(rec(f)?.typed_config);
    if (config) checkNetworkFilter(c, config, `${path}.filters[${j}].typed_config`);
  });
}

/** Envoy rejects a listener whose filter chains share a filter_chain_match. */
function checkUniqueMatches(c: RefCtx, chains: unknown[]): void {
  const seen = new Map<string, number>();
  chains.forEach((chain, i) => {
    const key = stableKey(rec(chain)?.filter_chain_match ?? {});
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else
      problem(c, `filter_chains[${i}].filter_chain_match`, `same match as filter_chains[${first}]`);
  });
}

/** A Listener: its api_listener, filter chains and default filter chain. */
export function checkListener(c: RefCtx, listener: Dict): void {
  const api = rec(rec(listener.api_listener)?.api_listener);
  if (api) checkNetworkFilter(c, api, 'api_listener.api_listener');
  const chains = list(listener.filter_chains);
  chains.forEach((fc, i) => checkChain(c, rec(fc) ?? {}, `filter_chains[${i}]`));
  const fallback = rec(listener.default_filter_chain);
  if (fallback) checkChain(c, fallback, 'default_filter_chain');
  checkUniqueMatches(c, chains);
}
