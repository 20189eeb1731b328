// Everything one Service contributes to a proxy's config, built once per change of the Service,
// its endpoints or its pods, and shared (same objects, so encoded once) by every proxy that may
// call it: clusters and endpoints (with version subsets), route tables, api_listeners for
// proxyless gRPC, and the outbound listener's filter chains (VIP:port, and pod IP:port for
// headless Services).
import type { PortProtocol } from '../../lib/labels/index.js';
import type { EndpointSliceModel, ObjectKey, ServiceModel, ServicePort } from '../model/types.js';
import type { ServicePolicy } from '../policy/types.js';
import { edsCluster } from './cluster.js';
import { loadAssignment, serviceEndpoints, type Endpoint, type PodFacts } from './endpoints.js';
import { ANY, isIPv6, u32 } from './envoy.js';
import { httpConnectionManager } from './http.js';
import { apiListenerName, clusterName, PASSTHROUGH_CLUSTER, subsetName } from './names.js';
import { emptyBundle, type Chain, type ServiceBundle, type TranslateOptions } from './bundle.js';
import { routeConfiguration } from './route.js';

export type { Chain, Named, PortRouting, ServiceBundle, TranslateOptions } from './bundle.js';
export { emptyBundle } from './bundle.js';

export interface ServiceInputs {
  service: ServiceModel;
  policy: ServicePolicy;
  slices: readonly EndpointSliceModel[];
  podFacts: (pod: ObjectKey) => PodFacts | undefined;
}

export function chainFor(ip: string, port: number, name: string, filter: object): Chain {
  const match = {
    destination_port: u32(port),
    prefix_ranges: [{ address_prefix: ip, prefix_len: u32(isIPv6(ip) ? 128 : 32) }],
  };
  return { match: `${ip}:${port}`, chain: { name, filter_chain_match: match, filters: [filter] } };
}

export function tcpProxy(stat: string, target: Record<string, unknown>): object {
  return {
    name: 'envoy.filters.network.tcp_proxy',
    typed_config: { '@type': ANY.tcpProxy, stat_prefix: stat, ...target },
  };
}

function subsetsOf(
  policy: ServicePolicy,
  svc: ServiceModel,
  port: ServicePort,
): Map<string, string> {
  const versions = new Set([...policy.versions.keys(), ...policy.darkLaunch.map((d) => d.version)]);
  return new Map(
    [...versions].sort().map((v) => [v, subsetName(port.port, svc.namespace, svc.name, v)]),
  );
}

function tcpTarget(
  policy: ServicePolicy,
  name: string,
  subsets: Map<string, string>,
): Record<string, unknown> {
  const weighted = [...policy.versions.entries()].filter(([, w]) => w > 0);
  if (weighted.length === 0) return { cluster: name };
  return {
    weighted_clusters: {
      clusters: weighted.map(([v, w]) => ({ name: subsets.get(v) ?? name, weight: w })),
    },
  };
}

interface PortContext {
  in: ServiceInputs;
  port: ServicePort;
  protocol: PortProtocol;
  opts: TranslateOptions;
  out: ServiceBundle;
}

function addChains(
  c: PortContext,
  endpoints: readonly Endpoint[],
  name: string,
  filter: object,
): void {
  const { service } = c.in;
  if (!service.headless) {
    for (const ip of service.clusterIPs) c.out.chains.push(chainFor(ip, c.port.port, name, filter));
    return;
  }
  for (const e of endpoints) c.out.chains.push(chainFor(e.ip, e.port, name, filter));
}

function addClusters(
  c: PortContext,
  name: string,
  endpoints: readonly Endpoint[],
  subsets: Map<string, string>,
): void {
  const { policy } = c.in;
  c.out.clusters.push({ name, resource: edsCluster(name, c.protocol, policy) });
  c.out.endpoints.push({ name, resource: loadAssignment(name, endpoints) });
  for (const [version, sub] of subsets) {
    c.out.clusters.push({ name: sub, resource: edsCluster(sub, c.protocol, policy) });
    c.out.endpoints.push({
      name: sub,
      resource: loadAssignment(
        sub,
        endpoints.filter((e) => e.version === version),
      ),
    });
  }
}

function addHttp(c: PortContext, name: string, subsets: Map<string, string>): object {
  const { service, policy } = c.in;
  c.out.routes.push({
    name,
    resource: routeConfiguration(name, policy, c.protocol, { cluster: name, subsets }),
  });
  const hcm = httpConnectionManager(policy, {
    statPrefix: name,
    routeName: name,
    zipkin: c.opts.zipkin !== undefined,
  });
  const listener = apiListenerName(
    service.name,
    service.namespace,
    c.port.port,
    c.opts.clusterDomain,
  );
  c.out.apiListeners.push({
    name: listener,
    resource: { name: listener, api_listener: { api_listener: hcm } },
  });
  c.out.tracing ||= c.opts.zipkin !== undefined && policy.resilience.tracing.enabled;
  return { name: 'envoy.filters.network.http_connection_manager', typed_config: hcm };
}

function addPort(c: PortContext): void {
  const { service, policy, slices, podFacts } = c.in;
  const name = clusterName(c.port.port, service.namespace, service.name);
  const endpoints = serviceEndpoints(slices, c.port, podFacts);
  if (c.protocol === 'direct') {
    c.out.passthrough = true;
    addChains(c, endpoints, name, tcpProxy(name, { cluster: PASSTHROUGH_CLUSTER }));
    return;
  }
  const subsets = subsetsOf(policy, service, c.port);
  addClusters(c, name, endpoints, subsets);
  c.out.ports.set(c.port.port, {
    protocol: c.protocol,
    policy,
    target: { cluster: name, subsets },
  });
  const filter =
    c.protocol === 'tcp'
      ? tcpProxy(name, tcpTarget(policy, name, subsets))
      : addHttp(c, name, subsets);
  addChains(c, endpoints, name, filter);
}

export function translateService(inputs: ServiceInputs, opts: TranslateOptions): ServiceBundle {
  const { service, policy } = inputs;
  const out = emptyBundle(`${service.namespace}/${service.name}`);
  for (const port of [...service.ports].sort((a, b) => a.port - b.port)) {
    const protocol = policy.ports.get(port.port);
    if (protocol && port.protocol === 'TCP') addPort({ in: inputs, port, protocol, opts, out });
  }
  return out;
}
