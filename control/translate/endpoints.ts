// Endpoints of one Service port from its EndpointSlices: the slice port with the Service port's
// name gives the target port (resolved per pod, named ports included); only ready endpoints
// serve, or serving-and-terminating ones when nothing else is left (graceful termination).
// Each endpoint's weight is its pod's traffic.endpoint.weight; 0 removes it.
import type { EndpointSliceModel, ObjectKey, ServicePort } from '../model/types.js';

export interface Endpoint {
  ip: string;
  port: number;
  weight: number;
  pod?: ObjectKey;
  /** The pod's version label, for version subsets. */
  version?: string;
}

export interface PodFacts {
  weight: number;
  version?: string;
}

interface Candidate extends Endpoint {
  ready: boolean;
  terminatingServing: boolean;
}

function candidates(
  slices: readonly EndpointSliceModel[],
  port: ServicePort,
  facts: (pod: ObjectKey) => PodFacts | undefined,
): Candidate[] {
  const out: Candidate[] = [];
  for (const s of slices) {
    if (s.addressType === 'FQDN') continue;
    const sp = s.ports.find((p) => p.name === port.name);
    if (!sp) continue;
    for (const e of s.endpoints) {
      const f = e.pod ? facts(e.pod) : undefined;
      for (const ip of e.addresses) {
        out.push({
          ip,
          port: sp.port,
          weight: f?.weight ?? 100,
          pod: e.pod,
          version: f?.version,
          ready: e.ready,
          terminatingServing: e.terminating && e.serving,
        });
      }
    }
  }
  return out;
}

export function serviceEndpoints(
  slices: readonly EndpointSliceModel[],
  port: ServicePort,
  facts: (pod: ObjectKey) => PodFacts | undefined,
): Endpoint[] {
  const all = candidates(slices, port, facts);
  const ready = all.filter((c) => c.ready);
  const chosen = ready.length > 0 ? ready : all.filter((c) => c.terminatingServing);
  const seen = new Set<string>();
  const out: Endpoint[] = [];
  for (const c of chosen.sort((a, b) => a.ip.localeCompare(b.ip) || a.port - b.port)) {
    const key = `${c.ip}:${c.port}`;
    if (c.weight === 0 || seen.has(key)) continue;
    seen.add(key);
    out.push({
      ip: c.ip,
      port: c.port,
      weight: c.weight,
      ...(c.pod ? { pod: c.pod } : {}),
      ...(c.version !== undefined ? { version: c.version } : {}),
    });
  }
  return out;
}

export function loadAssignment(clusterName: string, endpoints: readonly Endpoint[]): object {
  return {
    cluster_name: clusterName,
    endpoints:
      endpoints.length === 0
        ? []
        : [
            {
              locality: {},
              // Proxyless gRPC clients skip localities without a weight.
              load_balancing_weight: { value: 1 },
              lb_endpoints: endpoints.map((e) => ({
                endpoint: { address: { socket_address: { address: e.ip, port_value: e.port } } },
                load_balancing_weight: { value: e.weight },
              })),
            },
          ],
  };
}
