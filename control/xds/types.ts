// xDS resource types this server serves, their type URLs, and the make-before-break order in
// which a push sends them (clusters, endpoints, listeners, routes, secrets).

const PREFIX = 'type.googleapis.com/';

export const TYPE = {
  cluster: `${PREFIX}envoy.config.cluster.v3.Cluster`,
  endpoint: `${PREFIX}envoy.config.endpoint.v3.ClusterLoadAssignment`,
  listener: `${PREFIX}envoy.config.listener.v3.Listener`,
  route: `${PREFIX}envoy.config.route.v3.RouteConfiguration`,
  secret: `${PREFIX}envoy.extensions.transport_sockets.tls.v3.Secret`,
} as const;

export type TypeKey = keyof typeof TYPE;
export type TypeUrl = (typeof TYPE)[TypeKey];

/** Push order: CDS → EDS → LDS → RDS → SDS (the Envoy docs' rule for no dropped traffic). */
export const PUSH_ORDER: readonly TypeUrl[] = [
  TYPE.cluster,
  TYPE.endpoint,
  TYPE.listener,
  TYPE.route,
  TYPE.secret,
];

const BY_URL = new Map<string, TypeKey>(
  (Object.entries(TYPE) as [TypeKey, TypeUrl][]).map(([k, v]) => [v, k]),
);

export function isTypeUrl(s: string): s is TypeUrl {
  return BY_URL.has(s);
}

export function typeKey(url: TypeUrl): TypeKey {
  return BY_URL.get(url) ?? 'cluster';
}

/** Short names used by the admin API and envoy-config (`--type cluster`). */
export function typeFromKey(key: string): TypeUrl | undefined {
  return (TYPE as Record<string, TypeUrl | undefined>)[key];
}

/** Only listeners and clusters may be fetched by wildcard (the xDS protocol's rule). */
export function allowsWildcard(url: TypeUrl): boolean {
  return url === TYPE.listener || url === TYPE.cluster;
}

/** SotW responses for these types must carry every subscribed resource (absence = deletion). */
export function requiresFullState(url: TypeUrl): boolean {
  return url === TYPE.listener || url === TYPE.cluster;
}

/** The message name inside a type URL: `envoy.config.cluster.v3.Cluster`. */
export function messageName(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}
