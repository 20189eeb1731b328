// The status rules of a write: the main resource keeps the stored .status, the status
// subresource changes nothing but .status.
import { badRequest } from './errors.js';
import { asString, clone, isObject } from './json.js';
import { metadataOf, type KubeObject } from './kube.js';
import type { ResourceDef } from './registry.js';

export function hasFinalizers(obj: KubeObject): boolean {
  const f = metadataOf(obj).finalizers;
  return Array.isArray(f) && f.length > 0;
}

/** A status write: everything but .status comes from the stored object. */
export function withStatusOf(old: KubeObject, next: KubeObject): KubeObject {
  const merged = clone(old);
  merged.status = isObject(next.status) ? clone(next.status) : {};
  return merged;
}

/** A main-resource write: .status stays as stored when the resource has a status subresource. */
export function withoutStatusChange(
  res: ResourceDef,
  old: KubeObject,
  next: KubeObject,
): KubeObject {
  const merged = clone(next);
  if (!res.status) return merged;
  if (old.status === undefined) delete merged.status;
  else merged.status = clone(old.status);
  return merged;
}

/** The body as an object of this resource: kind, apiVersion and namespace checked and set. */
export function identify(
  res: ResourceDef,
  namespace: string | undefined,
  body: unknown,
): KubeObject {
  if (!isObject(body)) throw badRequest('the body of the request must be a JSON object');
  const obj = clone(body);
  const apiVersion = asString(obj.apiVersion);
  const kind = asString(obj.kind);
  if (apiVersion !== undefined && apiVersion !== res.apiVersion) {
    throw badRequest(
      `the API version in the data (${apiVersion}) does not match the expected API version (${res.apiVersion})`,
    );
  }
  if (kind !== undefined && kind !== res.kind) {
    throw badRequest(
      `the kind in the data (${kind}) does not match the expected kind (${res.kind})`,
    );
  }
  obj.apiVersion = res.apiVersion;
  obj.kind = res.kind;
  const meta = metadataOf(obj);
  if (!res.namespaced) delete meta.namespace;
  else {
    const given = asString(meta.namespace);
    if (namespace !== undefined && given !== undefined && given !== '' && given !== namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    meta.namespace = namespace ?? (given || 'default');
  }
  return obj;
}
