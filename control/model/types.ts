// The cluster model: the few facts about Kubernetes objects that policy and translation need,
// as plain immutable data. control/kube fills it from informers; control/translate reads it and
// never sees a Kubernetes client.

export type Labels = Readonly<Record<string, string>>;

/** `namespace/name`. */
export type ObjectKey = string;

export interface ServicePort {
  name: string;
  port: number;
  /** A number, or the name of a container port. */
  targetPort: number | string;
  protocol: string;
  appProtocol?: string;
}

/** An address a load balancer gives a Service, or an Ingress reports (status.loadBalancer). */
export interface LoadBalancerAddress {
  ip?: string;
  hostname?: string;
}

export interface ServiceModel {
  name: string;
  namespace: string;
  uid: string;
  /** Empty for headless Services (clusterIP None) and ExternalName. */
  clusterIPs: readonly string[];
  headless: boolean;
  ports: readonly ServicePort[];
  labels: Labels;
  annotations: Labels;
  /** status.loadBalancer.ingress, when a load balancer has given the Service addresses. */
  loadBalancer?: readonly LoadBalancerAddress[];
}

export interface WorkloadRef {
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet' | 'Job' | 'Pod';
  name: string;
  uid: string;
}

export interface PodModel {
  name: string;
  namespace: string;
  uid: string;
  ips: readonly string[];
  nodeName: string;
  phase: string;
  ready: boolean;
  hostNetwork: boolean;
  /** The pod's own labels and annotations. */
  labels: Labels;
  annotations: Labels;
  /** The owning workload (resolved through ownerReferences: Pod → ReplicaSet → Deployment). */
  workload?: WorkloadRef;
  /** The workload's labels and annotations (the pod's own win over these). */
  workloadLabels: Labels;
  workloadAnnotations: Labels;
}

export interface SliceEndpoint {
  addresses: readonly string[];
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  /** `namespace/name` of the pod behind it, when the slice says so. */
  pod?: ObjectKey;
  nodeName?: string;
}

export interface SlicePort {
  name: string;
  port: number;
  protocol: string;
}

export interface EndpointSliceModel {
  name: string;
  namespace: string;
  service: string;
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  ports: readonly SlicePort[];
  endpoints: readonly SliceEndpoint[];
}

export interface IngressBackend {
  service: string;
  /** A port number, or the name of a Service port. */
  port: number | string;
}

export interface IngressModel {
  name: string;
  namespace: string;
  uid: string;
  className?: string;
  annotations: Labels;
  rules: readonly {
    host?: string;
    paths: readonly { path: string; pathType?: string; backend?: IngressBackend }[];
  }[];
  defaultBackend?: IngressBackend;
  tls: readonly { hosts: readonly string[]; secretName?: string }[];
  /** status.loadBalancer.ingress as last seen (written back by traffic-control). */
  status?: readonly LoadBalancerAddress[];
}

/** An IngressClass: who implements it and whether it is the cluster's default class. */
export interface IngressClassModel {
  name: string;
  controller: string;
  /** The annotation ingressclass.kubernetes.io/is-default-class is "true". */
  isDefault: boolean;
}

/** A TLS Secret an Ingress references (no other Secret is ever read). */
export interface SecretModel {
  name: string;
  namespace: string;
  uid: string;
  type: string;
  /** Base64, as in the Secret: tls.crt and tls.key. */
  certificateChain?: string;
  privateKey?: string;
}

export interface ClusterModel {
  services: ReadonlyMap<ObjectKey, ServiceModel>;
  pods: ReadonlyMap<ObjectKey, PodModel>;
  /** EndpointSlices by the `namespace/name` of their Service. */
  slices: ReadonlyMap<ObjectKey, readonly EndpointSliceModel[]>;
  ingresses: ReadonlyMap<ObjectKey, IngressModel>;
  /** Only Secrets referenced by an Ingress's tls section, in its own namespace. */
  secrets: ReadonlyMap<ObjectKey, SecretModel>;
  /**
   * Secrets whose watch has listed once: one of these missing from `secrets` does not exist.
   * Undefined means every referenced Secret is known (a model built whole, as in tests).
   */
  secretsListed?: ReadonlySet<ObjectKey>;
  ingressClasses: ReadonlyMap<string, IngressClassModel>;
}

export function objectKey(namespace: string, name: string): ObjectKey {
  return `${namespace}/${name}`;
}

/** A proxy's node id: `<pod>.<namespace>`. */
export function nodeIdOf(pod: { name: string; namespace: string }): string {
  return `${pod.name}.${pod.namespace}`;
}
