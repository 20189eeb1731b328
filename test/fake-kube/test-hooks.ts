// Direct store access for tests: seed (create or update, status kept), get, list, remove.
import { KubeError } from './errors.js';
import { asString, clone, isObject } from './json.js';
import { metadataOf, nameOf, namespaceOf, type KubeObject } from './kube.js';
import type { ObjectApi } from './objects.js';
import { byKind, byPlural, resolveResource, type ResourceDef } from './registry.js';
import { compileFilter } from './selectors/filter.js';

export interface ListQuery {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

const NAMESPACES = byPlural('v1', 'namespaces') as ResourceDef;

/** The namespaces a fresh cluster has. */
export function bootstrap(api: ObjectApi): void {
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    api.create(NAMESPACES, undefined, { metadata: { name } });
  }
}

function resourceOf(obj: KubeObject): ResourceDef {
  const apiVersion = asString(obj.apiVersion) ?? '';
  const kind = asString(obj.kind) ?? '';
  const res = byKind(apiVersion, kind);
  if (!res) throw new Error(`fake-kube: cannot seed ${apiVersion} ${kind}: not a served kind`);
  return res;
}

function seedOne(api: ObjectApi, obj: KubeObject): KubeObject {
  const res = resourceOf(obj);
  const ns = res.namespaced ? namespaceOf(obj) || 'default' : '';
  if (res.namespaced && !api.store.get(NAMESPACES, '', ns))
    api.create(NAMESPACES, undefined, { metadata: { name: ns } });
  const existing = api.store.get(res, ns, nameOf(obj));
  if (!existing) return api.create(res, res.namespaced ? ns : undefined, obj, { keepStatus: true });
  const next = clone(obj);
  delete metadataOf(next).resourceVersion;
  if (res.namespaced) metadataOf(next).namespace = ns;
  const updated = api.update(res, existing, next);
  if (!res.status || !isObject(obj.status)) return updated;
  return api.update(
    res,
    updated,
    { ...updated, status: clone(obj.status) },
    { subresource: 'status' },
  );
}

export function seedObjects(api: ObjectApi, objects: readonly KubeObject[]): KubeObject[] {
  return objects.map((o) => seedOne(api, o));
}

export function getObject(
  api: ObjectApi,
  resource: string,
  name: string,
  namespace?: string,
): KubeObject | undefined {
  const res = resolveResource(resource);
  return api.store.get(res, res.namespaced ? (namespace ?? 'default') : '', name);
}

export function listObjects(api: ObjectApi, resource: string, query: ListQuery = {}): KubeObject[] {
  const res = resolveResource(resource);
  const filter = compileFilter(res, query);
  return api.store.list(res, res.namespaced ? query.namespace : undefined).filter(filter);
}

export function removeObject(
  api: ObjectApi,
  resource: string,
  name: string,
  namespace?: string,
): boolean {
  const res = resolveResource(resource);
  try {
    api.remove(res, res.namespaced ? (namespace ?? 'default') : '', name);
    return true;
  } catch (err) {
    if (err instanceof KubeError && err.code === 404) return false;
    throw err;
  }
}
