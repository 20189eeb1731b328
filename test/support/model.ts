// A small in-memory cluster model for translation tests, built the way control/kube builds it.
import type {
  ClusterModel,
  EndpointSliceModel,
  IngressClassModel,
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
  ingressClasses = new Map<string, IngressClassModel>();
  /** Left undefined: every referenced Secret counts as listed. */
  secretsListed?: Set<ObjectKey>;

  /** An Ingress: `spec` as in the model (rules, defaultBackend, tls, className, annotations). */
  ingress(
    name: string,
    ns: string,
    spec: Partial<Omit<IngressModel, 'name' | 'namespace' | 'uid'>> = {},
  ): IngressModel {
    const i: IngressModel = {
      name,
      namespace: ns,
      uid: `uid-ing-${ns}-${name}`,
      className: 'traffic-manager',
      annotations: {},
      rules: [],
      tls: [],
      ...spec,
    };
    this.ingresses.set(`${ns}/${name}`, i);
    return i;
  }

  /** A Secret with tls.crt / tls.key given as text (stored base64, as in Kubernetes). */
  secret(
    name: string,
    ns: string,
    o: { crt?: string; key?: string; type?: string } = {},
  ): SecretModel {
    const b64 = (v: string | undefined): string | undefined =>
      v === undefined ? undefined : Buffer.from(v).toString('base64');
    const crt = b64(o.crt);
    const key = b64(o.key);
    const s: SecretModel = {
      name,
      namespace: ns,
      uid: `uid-secret-${ns}-${name}`,
      type: o.type ?? 'kubernetes.io/tls',
      ...(crt !== undefined ? { certificateChain: crt } : {}),
      ...(key !== undefined ? { privateKey: key } : {}),
    };
    this.secrets.set(`${ns}/${name}`, s);
    return s;
  }

  ingressClass(name: string, controller: string, isDefault: boolean): IngressClassModel {
    const c = { name, controller, isDefault };
    this.ingressClasses.set(name, c);
    return c;
  }

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
      ...(p.appProtocol !== undefined ? { appProtocol: p.appProtocol } : {}),
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
