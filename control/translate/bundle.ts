// The shapes translation produces per Service (or per pod with its own ports): named resources,
// the outbound listener's filter chains, and how callers route to each proxied port; and the
// options translation takes.
import type { PortProtocol } from '../../lib/labels/index.js';
import type { ObjectKey } from '../model/types.js';
import { DEFAULT_INGRESS_CLASS } from '../policy/ingress-class.js';
import type { ServicePolicy } from '../policy/types.js';
import type { RouteTarget } from './route.js';

export interface TranslateOptions {
  capturePort: number;
  versionLabel: string;
  clusterDomain: string;
  zipkin?: { host: string; port: number };
  /** The ingress gateway: whose Ingresses it serves, and its listener ports. */
  ingress: { className: string; httpPort: number; httpsPort: number };
}

export const DEFAULT_OPTIONS: TranslateOptions = {
  capturePort: 10000,
  versionLabel: 'version',
  clusterDomain: 'cluster.local',
  ingress: { className: DEFAULT_INGRESS_CLASS, httpPort: 8080, httpsPort: 8443 },
};

export interface Named {
  name: string;
  resource: object;
}

export interface Chain {
  /** `ip:port` the chain matches; two chains may never share one. */
  match: string;
  chain: object;
}

/** How callers route to one proxied port: what the ingress gateway reuses. */
export interface PortRouting {
  protocol: PortProtocol;
  policy: ServicePolicy;
  /** The port's cluster and its version subsets (names of resources in the bundle). */
  target: RouteTarget;
}

export interface ServiceBundle {
  key: ObjectKey;
  /** Service port → its routing, for ports with clusters (http, grpc, tcp). */
  ports: Map<number, PortRouting>;
  clusters: Named[];
  endpoints: Named[];
  routes: Named[];
  apiListeners: Named[];
  chains: Chain[];
  passthrough: boolean;
  tracing: boolean;
}

export function emptyBundle(key: ObjectKey): ServiceBundle {
  return {
    key,
    ports: new Map(),
    clusters: [],
    endpoints: [],
    routes: [],
    apiListeners: [],
    chains: [],
    passthrough: false,
    tracing: false,
  };
}
