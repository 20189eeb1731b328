// Every traffic.* label, declared once: where it applies, what it accepts, its default and units.
// The README table is rendered from this list (see table.ts) and a test keeps them equal.
import { WORKLOAD_KINDS, type LabelDecl, type ObjectKind } from './decl.js';
import {
  boolParser,
  enumParser,
  HTTP_TOKEN,
  intParser,
  serviceListParser,
  textParser,
  tokenParser,
} from './parsers.js';

const SVC: readonly ObjectKind[] = ['Service'];

export const LB_POLICIES = [
  'ROUND_ROBIN',
  'LEAST_REQUEST',
  'RING_HASH',
  'RANDOM',
  'MAGLEV',
] as const;
export type LbPolicy = (typeof LB_POLICIES)[number];

export const PORT_PROTOCOLS = ['http', 'grpc', 'tcp', 'direct'] as const;
export type PortProtocol = (typeof PORT_PROTOCOLS)[number];

function decl<T>(d: LabelDecl<T>): LabelDecl<T> {
  return d;
}

export const ENVOY_ENABLED = decl({
  name: 'traffic.envoy.enabled',
  appliesTo: WORKLOAD_KINDS,
  default: false,
  description: 'Run an Envoy proxy in the pod and capture its outbound TCP',
  parser: boolParser(),
});

export const PORT_PROTOCOL = decl<PortProtocol>({
  name: 'traffic.port.<port>',
  appliesTo: ['Service', ...WORKLOAD_KINDS],
  default: undefined,
  description:
    "How callers proxy this port (a Service port, or a pod's own port when set on a pod or its workload); unlabelled ports are blocked for proxied callers",
  parser: enumParser(PORT_PROTOCOLS),
});

export const LB_POLICY = decl<LbPolicy>({
  name: 'traffic.lb.policy',
  appliesTo: SVC,
  default: 'ROUND_ROBIN',
  description: 'Load-balancing policy of the cluster',
  parser: enumParser(LB_POLICIES),
});

export const HASH_COOKIE_NAME = decl({
  name: 'traffic.hash.cookie.name',
  appliesTo: SVC,
  default: undefined,
  description: 'Hash requests on this cookie (with RING_HASH or MAGLEV)',
  parser: tokenParser(HTTP_TOKEN, 'a cookie name (RFC 6265 token)', 63),
});

export const HASH_COOKIE_TTL = decl({
  name: 'traffic.hash.cookie.ttl',
  appliesTo: SVC,
  default: undefined,
  units: 'seconds',
  description: 'Envoy generates the hash cookie with this lifetime when it is absent',
  parser: intParser(0, 31_536_000),
});

export const HASH_HEADER_NAME = decl({
  name: 'traffic.hash.header.name',
  appliesTo: SVC,
  default: undefined,
  description: 'Hash requests on this header (with RING_HASH or MAGLEV)',
  parser: tokenParser(HTTP_TOKEN, 'an HTTP header name', 63),
});

export const ENDPOINT_WEIGHT = decl({
  name: 'traffic.endpoint.weight',
  appliesTo: WORKLOAD_KINDS,
  default: 100,
  description: "Weight of the pods' endpoints; 0 removes them from load balancing",
  parser: intParser(0, 128),
});

export const VERSION_WEIGHT = decl({
  name: 'traffic.version.<version>.weight',
  appliesTo: SVC,
  default: undefined,
  units: 'percent of requests',
  description:
    'Version split: requests to pods whose version label is <version> (needs every version of the split labelled)',
  parser: intParser(0, 100),
});

export const VERSION_HEADER = decl({
  name: 'traffic.version.<version>.header.<header>',
  appliesTo: SVC,
  default: undefined,
  via: 'either',
  description:
    'Dark launch: requests whose <header> equals this value go to <version>, whatever the weights (an annotation of the same name holds values a label cannot)',
  parser: textParser(1024),
});

export const EGRESS_SERVICES = decl({
  name: 'traffic.egress.services',
  appliesTo: WORKLOAD_KINDS,
  default: undefined,
  via: 'annotation',
  description:
    "Narrows what the pod's proxy is configured to call (default: every Service with a traffic.port label)",
  parser: serviceListParser(),
});
