// Legacy (non-aggregated) discovery documents, /version and the health endpoints.
import type { JsonObject } from './json.js';
import { GROUPS, RESOURCES, resourcesIn, type ResourceDef } from './registry.js';
import { SCALABLE } from './scale.js';

export const VERSION_INFO: JsonObject = {
  major: '1',
  minor: '33',
  gitVersion: 'v1.33.0',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-04-23T00:00:00Z',
  goVersion: 'go1.24.2',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function resourceEntries(res: ResourceDef): JsonObject[] {
  const main: JsonObject = {
    name: res.plural,
    singularName: res.singular,
    namespaced: res.namespaced,
    kind: res.kind,
    verbs: VERBS,
  };
  if (res.shortNames.length > 0) main.shortNames = res.shortNames;
  if (res.categories.length > 0) main.categories = res.categories;
  main.storageVersionHash = Buffer.from(res.key).toString('base64').slice(0, 11);
  const entries = [main];
  if (res.status) {
    entries.push({
      name: `${res.plural}/status`,
      singularName: '',
      namespaced: res.namespaced,
      kind: res.kind,
      verbs: ['get', 'patch', 'update'],
    });
  }
  if (SCALABLE.has(res.plural)) {
    entries.push({
      name: `${res.plural}/scale`,
      singularName: '',
      namespaced: true,
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
      verbs: ['get', 'patch', 'update'],
    });
  }
  return entries;
}

function groupVersion(group: string): JsonObject {
  return { groupVersion: `${group}/v1`, version: 'v1' };
}

function apiGroup(group: string): JsonObject {
  return { name: group, versions: [groupVersion(group)], preferredVersion: groupVersion(group) };
}

/** The discovery document for a path, or undefined when the path is not a discovery path. */
export function discoveryDocument(path: string, serverAddress: string): JsonObject | undefined {
  if (path === '/api') {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  }
  if (path === '/apis') {
    return { kind: 'APIGroupList', apiVersion: 'v1', groups: GROUPS.map(apiGroup) };
  }
  const group = /^\/apis\/([^/]+)$/.exec(path)?.[1];
  if (group !== undefined && GROUPS.includes(group)) {
    return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group) };
  }
  const gv = path === '/api/v1' ? 'v1' : /^\/apis\/([^/]+\/v1)$/.exec(path)?.[1];
  if (gv === undefined || resourcesIn(gv).length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: gv,
    resources: resourcesIn(gv).flatMap(resourceEntries),
  };
}

export function isHealthPath(path: string): boolean {
  return /^\/(healthz|readyz|livez)(\/.*)?$/.test(path);
}

/** Every group/version the fake serves, core first. */
export function servedGroupVersions(): string[] {
  return [...new Set(RESOURCES.map((r) => r.apiVersion))];
}
