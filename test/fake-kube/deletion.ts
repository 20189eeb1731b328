// DELETE semantics: preconditions, finalizers (deletionTimestamp until the last one is removed),
// namespace deletion (contents first), and orphaning dependents on propagationPolicy=Orphan.
// Cascading (background) deletion of dependents is the garbage collector's job (controllers/gc.ts).
import { conflict, KubeError } from './errors.js';
import { asObject, asObjects, asString, clone, ensureObject } from './json.js';
import {
  metadataOf,
  nameOf,
  namespaceOf,
  uidOf,
  resourceVersionOf,
  timestamp,
  type KubeObject,
} from './kube.js';
import type { ObjectApi } from './objects.js';
import { RESOURCES, type ResourceDef } from './registry.js';
import { hasFinalizers } from './write-rules.js';

const PROTECTED_NAMESPACES = ['default', 'kube-system', 'kube-public'];

export interface DeleteOptions {
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

/** DeleteOptions from a DELETE body (JSON), tolerating an empty or odd body. */
export function deleteOptionsFrom(body: unknown, query: URLSearchParams): DeleteOptions {
  const b = asObject(body) ?? {};
  const pre = asObject(b.preconditions);
  return {
    propagationPolicy: asString(b.propagationPolicy) ?? query.get('propagationPolicy') ?? undefined,
    preconditions: pre
      ? { uid: asString(pre.uid), resourceVersion: asString(pre.resourceVersion) }
      : undefined,
    dryRun: query.get('dryRun') === 'All' || (Array.isArray(b.dryRun) && b.dryRun.includes('All')),
  };
}

function checkPreconditions(
  res: ResourceDef,
  obj: KubeObject,
  pre: DeleteOptions['preconditions'],
): void {
  if (pre?.uid && pre.uid !== uidOf(obj)) {
    throw conflict(
      res,
      nameOf(obj),
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${uidOf(obj)}`,
    );
  }
  if (pre?.resourceVersion && pre.resourceVersion !== resourceVersionOf(obj)) {
    throw conflict(
      res,
      nameOf(obj),
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${resourceVersionOf(obj)}`,
    );
  }
}

function markTerminating(
  api: ObjectApi,
  res: ResourceDef,
  obj: KubeObject,
  now: () => Date,
): KubeObject {
  const meta = metadataOf(obj);
  if (meta.deletionTimestamp !== undefined) return obj;
  const next = clone(obj);
  const m = metadataOf(next);
  m.deletionTimestamp = timestamp(now());
  m.deletionGracePeriodSeconds = 0;
  if (res.generation) m.generation = Number(meta.generation ?? 1) + 1;
  return api.store.put(res, next);
}

/** Every stored object with an ownerReference to `uid`. */
export function dependentsOf(
  api: ObjectApi,
  uid: string,
): { res: ResourceDef; object: KubeObject }[] {
  const out: { res: ResourceDef; object: KubeObject }[] = [];
  for (const res of RESOURCES) {
    for (const object of api.store.list(res)) {
      if (asObjects(metadataOf(object).ownerReferences).some((r) => r.uid === uid))
        out.push({ res, object });
    }
  }
  return out;
}

function orphanDependents(api: ObjectApi, owner: KubeObject): void {
  const uid = uidOf(owner);
  for (const { res, object } of dependentsOf(api, uid)) {
    const next = clone(object);
    const meta = metadataOf(next);
    const refs = asObjects(meta.ownerReferences).filter((r) => r.uid !== uid);
    if (refs.length > 0) meta.ownerReferences = refs;
    else delete meta.ownerReferences;
    delete meta.resourceVersion;
    api.update(res, object, next);
  }
}

function deleteNamespace(
  api: ObjectApi,
  res: ResourceDef,
  ns: KubeObject,
  now: () => Date,
): KubeObject {
  const name = nameOf(ns);
  const terminating = clone(ns);
  if (metadataOf(terminating).deletionTimestamp === undefined) {
    metadataOf(terminating).deletionTimestamp = timestamp(now());
  }
  ensureObject(terminating, 'status').phase = 'Terminating';
  api.store.put(res, terminating);
  for (const r of RESOURCES.filter((x) => x.namespaced)) {
    for (const obj of api.store.list(r, name)) api.store.remove(r, namespaceOf(obj), nameOf(obj));
  }
  return api.store.remove(res, '', name) ?? terminating;
}

export function removeObject(
  api: ObjectApi,
  res: ResourceDef,
  namespace: string,
  name: string,
  opts: DeleteOptions,
  now: () => Date,
): KubeObject {
  const old = api.mustGet(res, namespace, name);
  if (res.plural === 'namespaces' && PROTECTED_NAMESPACES.includes(name)) {
    throw new KubeError(
      403,
      'Forbidden',
      `namespaces "${name}" is forbidden: this namespace may not be deleted`,
      {
        name,
        kind: 'namespaces',
      },
    );
  }
  checkPreconditions(res, old, opts.preconditions);
  if (opts.dryRun) return old;
  if (opts.propagationPolicy === 'Orphan') orphanDependents(api, old);
  if (hasFinalizers(old)) return markTerminating(api, res, old, now);
  if (res.plural === 'namespaces') return deleteNamespace(api, res, old, now);
  return api.store.remove(res, namespace, name) ?? old;
}
