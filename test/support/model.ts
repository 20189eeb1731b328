// A small in-memory cluster model for translation tests, built the way control/kube builds it.
import type {
  ClusterModel,
  EndpointSliceModel,
  IngressModel,
  SecretModel,
  Labels,
  ObjectKey,
  PodModel,
  ServiceModel,
  ServicePort,
} from '../../control/model/types.js';

export class ModelBuilder implements ClusterModel {
  services = new Map<ObjectKey, ServiceModel>();
  pods = new Map<ObjectKey, PodModel>();
  slices = new Map<ObjectKey, EndpointSliceModel[]>();
  ingresses = new Map<ObjectKey, IngressModel>();
  secrets = new Map<ObjectKey, SecretModel>();

  service(
    name: string,
    ns: string,
    o: {
      ip?: string;
      headless?: boolean;
      ports?: Partial<ServicePort>[];
      labels?: Labels;
      annotations?: Labels;
    } = {},
  ): ServiceModel {
    const ports = (o.ports ?? [{ port: 9080 }]).map((p) => ({
      name: p.name ?? '',
      port: p.port ?? 9080,
      targetPort: p.targetPort ?? p.port ?? 9080,
      protocol: p.protocol ?? 'TCP',
    }));
    const s: ServiceModel = {
      name,
      namespace: ns,
      uid: `uid-svc-${ns}-${name}`,
      clusterIPs: o.headless ? [] : [o.ip ?? '10.96.0.10'],
      headless: o.headless ?? false,
      ports,
      labels: o.labels ?? {},
      annotations: o.annotations ?? {},
    };
    this.services.set(`${ns}/${name}`, s);
    return s;
  }

  pod(
    name: string,
    ns: string,
    o: {
      ip: string;
      labels?: Labels;
      annotations?: Labels;
      ready?: boolean;
      workload?: { kind: 'Deployment'; name: string; labels?: Labels; annotations?: Labels };
    },
  ): PodModel {
    const p: PodModel = {
      name,
      namespace: ns,
      uid: `uid-pod-${ns}-${name}`,
      ips: [o.ip],
      nodeName: 'node-a',
      phase: 'Running',
      ready: o.ready ?? true,
      hostNetwork: false,
      labels: o.labels ?? {},
      annotations: o.annotations ?? {},
      ...(o.workload
        ? {
            workload: {
              kind: o.workload.kind,
              name: o.workload.name,
              uid: `uid-wl-${o.workload.name}`,
            },
          }
        : {}),
      workloadLabels: o.workload?.labels ?? {},
      workloadAnnotations: o.workload?.annotations ?? {},
    };
    this.pods.set(`${ns}/${name}`, p);
    return p;
  }

  /** One slice for `service` listing `pods` (by name, same namespace) on each service port. */
  endpoints(
    service: string,
    ns: string,
    pods: { pod: string; ip: string; port: number; ready?: boolean }[],
    portName = '',
  ): void {
    const slice: EndpointSliceModel = {
      name: `${service}-abc`,
      namespace: ns,
      service,
      addressType: 'IPv4',
      ports: [{ name: portName, port: pods[0]?.port ?? 9080, protocol: 'TCP' }],
      endpoints: pods.map((p) => ({
        addresses: [p.ip],
        ready: p.ready ?? true,
        serving: p.ready ?? true,
        terminating: false,
        pod: `${ns}/${p.pod}`,
      })),
    };
    this.slices.set(`${ns}/${service}`, [slice]);
  }
}
