// What the code asks of the Kubernetes API, read from the source: every @kubernetes/client-node
// API method it calls (listPodForAllNamespaces → pods list, patchNamespacedIngressStatus →
// ingresses/status patch, ...) and every list-and-watch path it gives an informer
// ('/apis/apps/v1/replicasets' → replicasets list + watch). A client-node method on a kind this
// table does not know fails the scan, so a new API call cannot slip past the RBAC test.
import * as k8s from '@kubernetes/client-node';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './chart.js';

export interface ApiUse {
  group: string;
  resource: string;
  verb: string;
  /** file:line where the code asks for it. */
  where: string;
}

/** Kinds the code may name in client-node methods: their API group and plural. */
const KINDS: Record<string, [group: string, plural: string]> = {
  Pod: ['', 'pods'],
  Service: ['', 'services'],
  Secret: ['', 'secrets'],
  ConfigMap: ['', 'configmaps'],
  Node: ['', 'nodes'],
  Namespace: ['', 'namespaces'],
  Endpoints: ['', 'endpoints'],
  // CoreV1Api and EventsV1Api both have createNamespacedEvent; the code writes core/v1 Events
  // (its sinks take CoreV1Event). An events.k8s.io writer would need its own entry.
  Event: ['', 'events'],
  EndpointSlice: ['discovery.k8s.io', 'endpointslices'],
  Deployment: ['apps', 'deployments'],
  ReplicaSet: ['apps', 'replicasets'],
  StatefulSet: ['apps', 'statefulsets'],
  DaemonSet: ['apps', 'daemonsets'],
  Ingress: ['networking.k8s.io', 'ingresses'],
  IngressClass: ['networking.k8s.io', 'ingressclasses'],
};

const VERB: Record<string, string> = {
  list: 'list',
  read: 'get',
  create: 'create',
  patch: 'patch',
  replace: 'update',
  delete: 'delete',
  deleteCollection: 'deletecollection',
};

const API_CLASSES = [
  k8s.CoreV1Api,
  k8s.AppsV1Api,
  k8s.DiscoveryV1Api,
  k8s.NetworkingV1Api,
  k8s.EventsV1Api,
  k8s.PolicyV1Api,
  k8s.RbacAuthorizationV1Api,
  k8s.CoordinationV1Api,
];

/** Every resource method of the client-node API classes the project could use. */
function clientMethods(): Set<string> {
  const names = new Set<string>();
  for (const cls of API_CLASSES) {
    for (const n of Object.getOwnPropertyNames(cls.prototype)) {
      if (/^(list|read|create|patch|replace|delete)[A-Z]/.test(n)) names.add(n);
    }
  }
  return names;
}

const METHOD =
  /^(list|read|create|patch|replace|deleteCollection|delete)(Namespaced)?([A-Z][A-Za-z]*?)(Status)?(ForAllNamespaces)?$/;

/** client-node method → what it needs; throws for a kind KINDS does not name. */
export function useOfMethod(name: string, where: string): ApiUse {
  const m = METHOD.exec(name);
  const kind = m?.[3] ?? '';
  const known = KINDS[kind];
  if (!m || !known) throw new Error(`${where}: ${name}: add its kind to KINDS in api-usage.ts`);
  const verb = VERB[m[1] ?? ''] ?? '';
  const resource = m[4] ? `${known[1]}/status` : known[1];
  return { group: known[0], resource, verb, where };
}

const PATH = /['`](\/api\/v1|\/apis\/([a-z0-9.-]+)\/v1)\/(?:namespaces\/[^/'`]+\/)?([a-z]+)['`]/g;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) {
      if (e !== 'generated' && e !== 'node_modules') out.push(...sourceFiles(p));
    } else if (e.endsWith('.ts') && !e.endsWith('.test.ts') && !e.endsWith('.d.ts')) {
      out.push(p);
    }
  }
  return out;
}

/** The API uses in the source under `dirs` (relative to the repository root). */
export function apiUses(dirs: readonly string[]): ApiUse[] {
  const methods = clientMethods();
  const uses: ApiUse[] = [];
  for (const file of dirs.flatMap((d) => sourceFiles(join(ROOT, d)))) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      const where = `${relative(ROOT, file)}:${i + 1}`;
      for (const call of line.matchAll(/\b([a-z][A-Za-z]+)\s*\(/g)) {
        const name = call[1] ?? '';
        if (methods.has(name)) uses.push(useOfMethod(name, where));
      }
      for (const p of line.matchAll(PATH)) {
        const [group, resource] = [p[2] ?? '', p[3] ?? ''];
        uses.push(
          { group, resource, verb: 'list', where },
          { group, resource, verb: 'watch', where },
        );
      }
    });
  }
  return uses;
}

export type Component = 'traffic-control' | 'traffic-agent';

/** The processes and the source each one runs (envoy-tools runs in the agent's pod). */
export const COMPONENTS: Record<Component, readonly string[]> = {
  'traffic-control': ['control', 'tools/envoy-config', 'lib'],
  'traffic-agent': ['agent', 'tools/envoy-tools', 'iptables', 'lib'],
};
