// The resource table: one row per served resource, feeding routing, discovery and OpenAPI.

export interface ResourceDef {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  /** Has a `status` subresource: writes to the main resource keep the stored status. */
  status: boolean;
  /** metadata.generation is bumped when .spec changes. */
  generation: boolean;
  categories: string[];
  /** group/plural, the store key. */
  key: string;
  /** "v1" or "apps/v1". */
  apiVersion: string;
  /** "/api/v1" or "/apis/apps/v1". */
  prefix: string;
}

type Row = [group: string, plural: string, kind: string, namespaced: boolean, shortNames: string[]];

const ROWS: Row[] = [
  ['', 'namespaces', 'Namespace', false, ['ns']],
  ['', 'nodes', 'Node', false, ['no']],
  ['', 'pods', 'Pod', true, ['po']],
  ['', 'services', 'Service', true, ['svc']],
  ['', 'endpoints', 'Endpoints', true, ['ep']],
  ['', 'secrets', 'Secret', true, []],
  ['', 'configmaps', 'ConfigMap', true, ['cm']],
  ['', 'events', 'Event', true, ['ev']],
  ['', 'serviceaccounts', 'ServiceAccount', true, ['sa']],
  ['discovery.k8s.io', 'endpointslices', 'EndpointSlice', true, []],
  ['apps', 'deployments', 'Deployment', true, ['deploy']],
  ['apps', 'replicasets', 'ReplicaSet', true, ['rs']],
  ['apps', 'statefulsets', 'StatefulSet', true, ['sts']],
  ['apps', 'daemonsets', 'DaemonSet', true, ['ds']],
  ['networking.k8s.io', 'ingresses', 'Ingress', true, ['ing']],
  ['networking.k8s.io', 'ingressclasses', 'IngressClass', false, []],
  ['policy', 'poddisruptionbudgets', 'PodDisruptionBudget', true, ['pdb']],
  ['rbac.authorization.k8s.io', 'clusterroles', 'ClusterRole', false, []],
  ['rbac.authorization.k8s.io', 'clusterrolebindings', 'ClusterRoleBinding', false, []],
];

const WITH_STATUS = new Set([
  'namespaces',
  'nodes',
  'pods',
  'services',
  'deployments',
  'replicasets',
  'statefulsets',
  'daemonsets',
  'ingresses',
  'poddisruptionbudgets',
]);
const WITH_GENERATION = new Set([
  'deployments',
  'replicasets',
  'statefulsets',
  'daemonsets',
  'ingresses',
]);
const IN_ALL = new Set([
  'pods',
  'services',
  'deployments',
  'replicasets',
  'statefulsets',
  'daemonsets',
]);

function makeDef([group, plural, kind, namespaced, shortNames]: Row): ResourceDef {
  const apiVersion = group === '' ? 'v1' : `${group}/v1`;
  return {
    group,
    version: 'v1',
    plural,
    singular: kind.toLowerCase(),
    kind,
    namespaced,
    shortNames,
    status: WITH_STATUS.has(plural),
    generation: WITH_GENERATION.has(plural),
    categories: IN_ALL.has(plural) ? ['all'] : [],
    key: `${group}/${plural}`,
    apiVersion,
    prefix: group === '' ? '/api/v1' : `/apis/${apiVersion}`,
  };
}

export const RESOURCES: readonly ResourceDef[] = ROWS.map(makeDef);

/** The distinct API groups other than core, in table order. */
export const GROUPS: readonly string[] = [
  ...new Set(RESOURCES.map((r) => r.group).filter((g) => g !== '')),
];

export function resourcesIn(apiVersion: string): ResourceDef[] {
  return RESOURCES.filter((r) => r.apiVersion === apiVersion);
}

export function byPlural(apiVersion: string, plural: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.apiVersion === apiVersion && r.plural === plural);
}

export function byKind(apiVersion: string, kind: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.apiVersion === apiVersion && r.kind === kind);
}

/**
 * Finds a resource the way kubectl does: plural, singular, kind, short name, or
 * `plural.group` ("deployments.apps"). Throws for unknown names.
 */
export function resolveResource(id: string): ResourceDef {
  const lower = id.toLowerCase();
  const found = RESOURCES.find(
    (r) =>
      r.plural === lower ||
      r.singular === lower ||
      r.shortNames.includes(lower) ||
      (r.group !== '' && `${r.plural}.${r.group}` === lower),
  );
  if (!found) throw new Error(`fake-kube: unknown resource type ${JSON.stringify(id)}`);
  return found;
}

/** "pods" or "deployments.apps", as used in apiserver error messages. */
export function qualifiedName(res: ResourceDef): string {
  return res.group === '' ? res.plural : `${res.plural}.${res.group}`;
}

/** "Pod" or "Deployment.apps", as used in Invalid messages. */
export function qualifiedKind(res: ResourceDef): string {
  return res.group === '' ? res.kind : `${res.kind}.${res.group}`;
}
