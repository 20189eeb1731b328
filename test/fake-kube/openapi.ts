// Minimal OpenAPI v3: enough for `kubectl apply` with default (server-side, Strict) validation.
// Each PATCH operation carries x-kubernetes-group-version-kind and a fieldValidation parameter;
// no schemas, and no strategic-merge-patch content type (kubectl then uses its compiled-in types).
import type { JsonObject } from './json.js';
import { resourcesIn, type ResourceDef } from './registry.js';
import { servedGroupVersions } from './discovery.js';

function gvPath(apiVersion: string): string {
  return apiVersion === 'v1' ? 'api/v1' : `apis/${apiVersion}`;
}

function hashOf(apiVersion: string): string {
  return `FAKE${apiVersion.replace(/[^a-z0-9]/gi, '').toUpperCase()}`;
}

export function openApiIndex(): JsonObject {
  const paths: JsonObject = {};
  for (const gv of servedGroupVersions()) {
    paths[gvPath(gv)] = { serverRelativeURL: `/openapi/v3/${gvPath(gv)}?hash=${hashOf(gv)}` };
  }
  return { paths };
}

function operation(res: ResourceDef, action: string): JsonObject {
  return {
    'x-kubernetes-group-version-kind': { group: res.group, version: res.version, kind: res.kind },
    'x-kubernetes-action': action,
    parameters: [
      { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
      { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
      { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
    ],
    requestBody: {
      content:
        action === 'patch'
          ? {
              'application/json-patch+json': {},
              'application/merge-patch+json': {},
              'application/apply-patch+yaml': {},
            }
          : { 'application/json': {} },
    },
    responses: { '200': { description: 'OK' } },
  };
}

function resourcePaths(res: ResourceDef): JsonObject {
  const base = res.namespaced
    ? `${res.prefix}/namespaces/{namespace}/${res.plural}`
    : `${res.prefix}/${res.plural}`;
  return {
    [base]: { post: operation(res, 'post') },
    [`${base}/{name}`]: { put: operation(res, 'put'), patch: operation(res, 'patch') },
  };
}

/** The per-group-version document for "api/v1" or "apis/apps/v1", or undefined. */
export function openApiDocument(path: string): JsonObject | undefined {
  const apiVersion = path === 'api/v1' ? 'v1' : /^apis\/([^/]+\/v1)$/.exec(path)?.[1];
  if (apiVersion === undefined) return undefined;
  const resources = resourcesIn(apiVersion);
  if (resources.length === 0) return undefined;
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.33.0' },
    paths: Object.assign({}, ...resources.map(resourcePaths)) as JsonObject,
    components: { schemas: {} },
  };
}
