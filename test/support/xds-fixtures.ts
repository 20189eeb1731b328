// Small hand-built Envoy resources for xDS server tests (the translator comes later).
import { TYPE } from '../../control/xds/types.js';
import type { SnapshotInput } from '../../control/xds/snapshot.js';

const ADS = { ads: {}, resource_api_version: 'V3' };
const HCM =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

export function cluster(name: string, extra: Record<string, unknown> = {}): object {
  return {
    name,
    type: 'EDS',
    connect_timeout: { seconds: 1 },
    eds_cluster_config: { eds_config: ADS },
    ...extra,
  };
}

export function cla(name: string, ports: number[], host = '127.0.0.1'): object {
  return {
    cluster_name: name,
    endpoints: [
      {
        locality: {},
        load_balancing_weight: { value: 1 },
        lb_endpoints: ports.map((p) => ({
          endpoint: { address: { socket_address: { address: host, port_value: p } } },
        })),
      },
    ],
  };
}

/** An api_listener (what proxyless gRPC clients request) using RDS `route`. */
export function apiListener(name: string, route: string): object {
  return {
    name,
    api_listener: {
      api_listener: {
        '@type': HCM,
        stat_prefix: name,
        rds: { route_config_name: route, config_source: ADS },
        http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER } }],
      },
    },
  };
}

export function weightedRoute(
  name: string,
  domain: string,
  weights: Record<string, number>,
): object {
  return {
    name,
    virtual_hosts: [
      {
        name: `${name}_vh`,
        domains: [domain, '*'],
        routes: [
          {
            match: { prefix: '' },
            route: {
              weighted_clusters: {
                clusters: Object.entries(weights).map(([c, w]) => ({
                  name: c,
                  weight: { value: w },
                })),
              },
            },
          },
        ],
      },
    ],
  };
}

/** A consistent two-cluster snapshot input: listener → route → clusters a and b → endpoints. */
export function splitInput(
  listener: string,
  ports: { a: number; b: number },
  weights: { a: number; b: number },
): SnapshotInput {
  return {
    [TYPE.cluster]: [
      { name: 'cluster_a', resource: cluster('cluster_a') },
      { name: 'cluster_b', resource: cluster('cluster_b') },
    ],
    [TYPE.endpoint]: [
      { name: 'cluster_a', resource: cla('cluster_a', [ports.a]) },
      { name: 'cluster_b', resource: cla('cluster_b', [ports.b]) },
    ],
    [TYPE.listener]: [{ name: listener, resource: apiListener(listener, 'route') }],
    [TYPE.route]: [
      {
        name: 'route',
        resource: weightedRoute('route', listener, { cluster_a: weights.a, cluster_b: weights.b }),
      },
    ],
  };
}
