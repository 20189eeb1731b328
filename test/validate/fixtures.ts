// Valid resources for the validator's tests, built like test/support/xds-fixtures.ts: EDS
// clusters with endpoints, an api_listener (HCM + RDS + router), a route table with a mirror
// and weighted clusters, and a TCP listener with tcp_proxy filter chains.
import type { SnapshotInput } from '../../control/xds/snapshot.js';
import { TYPE } from '../../control/xds/types.js';
import { apiListener, cla, cluster, weightedRoute } from '../support/xds-fixtures.js';

const TCP_PROXY = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';
const ORIGINAL_DST =
  'type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst';

export function healthyCluster(name: string): object {
  return cluster(name, {
    lb_policy: 'ROUND_ROBIN',
    health_checks: [
      {
        timeout: { seconds: 1 },
        interval: { seconds: 5, nanos: 500_000_000 },
        unhealthy_threshold: { value: 3 },
        healthy_threshold: { value: 1 },
        http_health_check: { path: '/healthz', host: 'svc.local', method: 'GET' },
      },
    ],
    metadata: { filter_metadata: { 'traffic.manager': { fields: {} } } },
  });
}

/** weightedRoute plus, ahead of it, a /mirror route with a timeout and a request mirror. */
export function routeTable(name: string, domain: string): object {
  const base = weightedRoute(name, domain, { cluster_a: 90, cluster_b: 10 }) as {
    virtual_hosts: { routes: object[] }[];
  };
  const mirror = {
    match: { prefix: '/mirror' },
    route: {
      cluster: 'cluster_a',
      timeout: { seconds: 5 },
      request_mirror_policies: [{ cluster: 'cluster_b' }],
    },
  };
  const [vh] = base.virtual_hosts;
  if (vh) vh.routes.unshift(mirror);
  return base;
}

function tcpProxy(stat: string, target: object): object {
  return {
    name: 'envoy.filters.network.tcp_proxy',
    typed_config: { '@type': TCP_PROXY, stat_prefix: stat, ...target },
  };
}

/** A transparent TCP listener: port 9000 goes to cluster_a, the rest split between a and b. */
export function tcpListener(name: string): object {
  return {
    name,
    address: { socket_address: { address: '0.0.0.0', port_value: 15001 } },
    listener_filters: [
      { name: 'envoy.filters.listener.original_dst', typed_config: { '@type': ORIGINAL_DST } },
    ],
    filter_chains: [
      {
        filter_chain_match: { destination_port: { value: 9000 } },
        filters: [tcpProxy(name, { cluster: 'cluster_a' })],
      },
      {
        filters: [
          tcpProxy(`${name}_split`, {
            weighted_clusters: {
              clusters: [
                { name: 'cluster_a', weight: 1 },
                { name: 'cluster_b', weight: 3 },
              ],
            },
          }),
        ],
      },
    ],
  };
}

/** The valid resources, one per type name used by the tests. */
export function validResources(): Record<string, { url: string; resource: object }> {
  return {
    cluster: { url: TYPE.cluster, resource: healthyCluster('cluster_a') },
    cla: { url: TYPE.endpoint, resource: cla('cluster_a', [8080, 8081]) },
    apiListener: { url: TYPE.listener, resource: apiListener('svc', 'route') },
    route: { url: TYPE.route, resource: routeTable('route', 'svc') },
    tcpListener: { url: TYPE.listener, resource: tcpListener('tcp_in') },
  };
}

/** A consistent input for one proxy: both clusters, their endpoints, both listeners, the route. */
export function validInput(): SnapshotInput {
  return {
    [TYPE.cluster]: [
      { name: 'cluster_a', resource: healthyCluster('cluster_a') },
      { name: 'cluster_b', resource: cluster('cluster_b') },
    ],
    [TYPE.endpoint]: [
      { name: 'cluster_a', resource: cla('cluster_a', [8080]) },
      { name: 'cluster_b', resource: cla('cluster_b', [8081]) },
    ],
    [TYPE.listener]: [
      { name: 'svc', resource: apiListener('svc', 'route') },
      { name: 'tcp_in', resource: tcpListener('tcp_in') },
    ],
    [TYPE.route]: [{ name: 'route', resource: routeTable('route', 'svc') }],
  };
}
