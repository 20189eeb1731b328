// The gateway's translation, kept until something it reads changes. A backend Service port
// labelled http, grpc or tcp is routed with the resources of the Service's own bundle (the very
// objects in-mesh callers get, so byte-identical clusters and endpoints); a port an Ingress names
// without such a label (none, or `direct`) is still routed at the gateway, as HTTP, through a
// gateway-only bundle of the Service built as if the port were labelled http (grpc when its
// appProtocol is grpc or h2c). An Ingress is the user saying "serve this port over HTTP", and the
// cluster names stay `<port>|<ns>|<svc>.outbound`.
import type { PortProtocol } from '../../../lib/labels/index.js';
import type { ClusterModel, ObjectKey, ServiceModel } from '../../model/types.js';
import type { ServicePolicy } from '../../policy/types.js';
import { Snapshot } from '../../xds/snapshot.js';
import type { ServiceBundle, TranslateOptions } from '../service.js';
import type { ServicePortRef } from './backends.js';
import { translateGateway, type GatewayResult } from './gateway.js';
import type { GatewayBackend } from './routes.js';

const ROUTED: ReadonlySet<PortProtocol> = new Set<PortProtocol>(['http', 'grpc', 'tcp']);

/** appProtocol values that say the port speaks HTTP/2 (gRPC, or cleartext h2). */
const H2 = new Set(['grpc', 'h2c', 'kubernetes.io/h2c']);

/**
 * The policy with every TCP port that callers do not route (no label, or direct) as http, or
 * as grpc (HTTP/2 upstream) when its appProtocol says so.
 */
export function gatewayPolicy(p: ServicePolicy, svc: ServiceModel): ServicePolicy {
  const ports = new Map(p.ports);
  for (const port of svc.ports) {
    const proto = ports.get(port.port);
    if (port.protocol !== 'TCP' || (proto && ROUTED.has(proto))) continue;
    ports.set(port.port, H2.has(port.appProtocol ?? '') ? 'grpc' : 'http');
  }
  return { ...p, ports };
}

export interface GatewaySources {
  model: ClusterModel;
  opts: TranslateOptions;
  /** The Service's bundle as every caller gets it. */
  mesh: (key: ObjectKey) => ServiceBundle | undefined;
  /** The Service's bundle translated with gatewayPolicy. */
  gatewayOnly: (key: ObjectKey) => ServiceBundle | undefined;
}

export class GatewayCache {
  private readonly forced = new Map<ObjectKey, ServiceBundle>();
  private readonly backends = new WeakMap<ServiceBundle, Map<number, GatewayBackend>>();
  private current: { result: GatewayResult; snapshot?: Snapshot } | undefined;

  constructor(private readonly src: GatewaySources) {}

  /** Services whose bundles were rebuilt; `gateway`: Ingresses, classes or Secrets changed. */
  invalidate(services: ReadonlySet<ObjectKey>, gateway: boolean): void {
    for (const s of services) this.forced.delete(s);
    if (services.size > 0 || gateway) this.current = undefined;
  }

  result(): GatewayResult {
    this.current ??= {
      result: translateGateway({
        model: this.src.model,
        opts: this.src.opts,
        backend: (ref) => this.backend(ref),
      }),
    };
    return this.current.result;
  }

  snapshot(): Snapshot {
    const r = this.result();
    const cur = this.current ?? { result: r };
    cur.snapshot ??= Snapshot.create(r.input);
    return cur.snapshot;
  }

  private gatewayOnly(key: ObjectKey): ServiceBundle | undefined {
    let b = this.forced.get(key);
    if (!b) {
      b = this.src.gatewayOnly(key);
      if (b) this.forced.set(key, b);
    }
    return b;
  }

  private backend(ref: ServicePortRef): GatewayBackend | undefined {
    const mesh = this.src.mesh(ref.key);
    const bundle = mesh?.ports.has(ref.port.port) ? mesh : this.gatewayOnly(ref.key);
    const routing = bundle?.ports.get(ref.port.port);
    if (!bundle || !routing) return undefined;
    let perPort = this.backends.get(bundle);
    if (!perPort) this.backends.set(bundle, (perPort = new Map<number, GatewayBackend>()));
    let gb = perPort.get(ref.port.port);
    if (!gb) {
      const names = new Set([routing.target.cluster, ...routing.target.subsets.values()]);
      gb = {
        // A tcp port's clusters serve HTTP as well; its routes get the HTTP action.
        routing: routing.protocol === 'tcp' ? { ...routing, protocol: 'http' } : routing,
        clusters: bundle.clusters.filter((c) => names.has(c.name)),
        endpoints: bundle.endpoints.filter((e) => names.has(e.name)),
      };
      perPort.set(ref.port.port, gb);
    }
    return gb;
  }
}
