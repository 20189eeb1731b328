// The ingress gateway's config (node `traffic-ingress`), a pure function of the model: our
// Ingresses' rules become the route tables of an HTTP listener and, with TLS, an HTTPS listener
// whose certificates are SDS Secrets; the clusters and endpoints are those of the backend
// Service ports, the very resources in-mesh callers get. What cannot be served (a missing
// Service, port or Secret, a bad path, a conflict) is left out and reported per Ingress; the rest
// of that Ingress and every other Ingress are served.
import type { ClusterModel, IngressBackend, IngressModel } from '../../model/types.js';
import { selectedIngresses } from '../../policy/ingress-class.js';
import type { PolicyIssue } from '../../policy/types.js';
import type { SnapshotInput } from '../../xds/snapshot.js';
import { TYPE } from '../../xds/types.js';
import { INGRESS_HTTP, INGRESS_HTTPS } from '../names.js';
import type { Named, TranslateOptions } from '../service.js';
import { resolveBackend, type ServicePortRef } from './backends.js';
import { httpListener, httpsListener } from './listeners.js';
import { matchKey, pathMatch } from './paths.js';
import { virtualHosts, type GatewayBackend, type HostRoutes } from './routes.js';
import { tlsChains, type Report } from './tls.js';

export const INVALID_INGRESS_REASON = 'InvalidIngress';

export interface GatewayInputs {
  model: ClusterModel;
  opts: TranslateOptions;
  /** The routing and resources of a Service port, as every caller gets them. */
  backend: (ref: ServicePortRef) => GatewayBackend | undefined;
}

export interface GatewayResult {
  input: SnapshotInput;
  /** Our Ingresses, by namespace/name. */
  ingresses: IngressModel[];
  issues: PolicyIssue[];
}

interface Build {
  in: GatewayInputs;
  report: Report;
  hosts: Map<string, HostRoutes>;
  /** host → match key → the Ingress that routes it. */
  taken: Map<string, Map<string, string>>;
  global?: HostRoutes['fallback'];
}

function use(
  b: Build,
  ing: IngressModel,
  backend: IngressBackend,
  where: string,
): GatewayBackend | undefined {
  const r = resolveBackend(backend, ing.namespace, b.in.model.services);
  const value = `${backend.service}:${backend.port}`;
  if ('error' in r) return void b.report(ing, where, value, r.error);
  const gb = b.in.backend(r.ok);
  if (!gb) b.report(ing, where, value, `backend Service ${r.ok.key} cannot be routed`);
  return gb;
}

function hostOf(b: Build, host: string): HostRoutes {
  let h = b.hosts.get(host);
  if (!h) b.hosts.set(host, (h = { routes: [] }));
  return h;
}

function addPath(b: Build, ing: IngressModel, host: string, ri: number, pi: number): void {
  const p = ing.rules[ri]?.paths[pi];
  const where = `spec.rules[${ri}].http.paths[${pi}]`;
  const name = `${ing.namespace}/${ing.name}`;
  if (!p) return;
  const m = pathMatch(p.path, p.pathType);
  if ('error' in m) return b.report(ing, `${where}.path`, p.path, m.error);
  if (!p.backend) {
    return b.report(
      ing,
      `${where}.backend`,
      '',
      'has no Service backend (resource backends are not supported)',
    );
  }
  const taken = b.taken.get(host) ?? new Map<string, string>();
  b.taken.set(host, taken);
  const owner = taken.get(matchKey(m.ok));
  if (owner !== undefined) {
    const msg = `${m.ok.type} ${m.ok.path} on host ${host} is already routed by Ingress ${owner}; ignored here`;
    return b.report(ing, `${where}.path`, p.path, msg);
  }
  const backend = use(b, ing, p.backend, `${where}.backend`);
  if (!backend) return;
  taken.set(matchKey(m.ok), name);
  hostOf(b, host).routes.push({ match: m.ok, backend, name });
}

function addIngress(b: Build, ing: IngressModel): void {
  const name = `${ing.namespace}/${ing.name}`;
  const d = ing.defaultBackend;
  const fallback = d ? use(b, ing, d, 'spec.defaultBackend') : undefined;
  if (fallback && b.global && ing.rules.length === 0) {
    const msg = `the default backend of Ingress ${b.global.name} already takes requests no rule matches; ignored here`;
    b.report(ing, 'spec.defaultBackend', `${d?.service}:${d?.port}`, msg);
  }
  if (fallback) b.global ??= { backend: fallback, name };
  ing.rules.forEach((rule, ri) => {
    const host = rule.host ?? '*';
    const h = hostOf(b, host);
    if (fallback) h.fallback ??= { backend: fallback, name };
    rule.paths.forEach((_, pi) => addPath(b, ing, host, ri, pi));
  });
}

/** The clusters and endpoints of the backends in use, each once, by name. */
function resources(
  used: Iterable<GatewayBackend>,
  pick: (b: GatewayBackend) => readonly Named[],
): Named[] {
  const m = new Map<string, Named>();
  for (const b of used) for (const r of pick(b)) m.set(r.name, r);
  return [...m.values()].sort((a, z) => (a.name < z.name ? -1 : a.name > z.name ? 1 : 0));
}

export function translateGateway(inputs: GatewayInputs): GatewayResult {
  const ingresses = selectedIngresses(inputs.model, inputs.opts.ingress.className);
  const issues: PolicyIssue[] = [];
  const report: Report = (ing, key, value, message) =>
    issues.push({
      kind: 'Ingress',
      namespace: ing.namespace,
      name: ing.name,
      uid: ing.uid,
      key,
      value,
      // The Event says where in the Ingress: kubectl describe shows only the message.
      message: `${key}: ${message}`,
      reason: INVALID_INGRESS_REASON,
    });
  const b: Build = { in: inputs, report, hosts: new Map(), taken: new Map() };
  for (const ing of ingresses) addIngress(b, ing);
  const { vhosts, used } = virtualHosts(b.hosts, b.global);
  const tls = tlsChains(inputs.model, ingresses, report);
  const { httpPort, httpsPort } = inputs.opts.ingress;
  const https = tls.chains.length > 0;
  const input: SnapshotInput = {
    [TYPE.cluster]: resources(used, (x) => x.clusters),
    [TYPE.endpoint]: resources(used, (x) => x.endpoints),
    [TYPE.listener]: [
      { name: INGRESS_HTTP, resource: httpListener(httpPort) },
      ...(https ? [{ name: INGRESS_HTTPS, resource: httpsListener(httpsPort, tls.chains) }] : []),
    ],
    [TYPE.route]: [
      { name: INGRESS_HTTP, resource: { name: INGRESS_HTTP, virtual_hosts: vhosts } },
      ...(https
        ? [{ name: INGRESS_HTTPS, resource: { name: INGRESS_HTTPS, virtual_hosts: vhosts } }]
        : []),
    ],
    [TYPE.secret]: tls.secrets,
  };
  return { input, ingresses, issues };
}
