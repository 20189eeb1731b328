// Write semantics shared by the HTTP handlers, the controllers and the test hooks: create with
// server-set metadata and defaults, update with resourceVersion preconditions and status rules,
// patch, and no-op detection (a write that changes nothing keeps its resourceVersion).
import { randomUUID } from 'node:crypto';
import { applyDefaults, initialStatus } from './defaults.js';
import { removeObject, type DeleteOptions } from './deletion.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  namespaceNotFound,
  notFound,
  unprocessable,
} from './errors.js';
import { asString, deepEqual, isObject, scalarText, type JsonValue } from './json.js';
import { metadataOf, randomSuffix, timestamp, type KubeObject } from './kube.js';
import { applyPatch, type PatchType } from './patch/apply.js';
import { byPlural, type ResourceDef } from './registry.js';
import type { Store } from './store.js';
import { validateObject } from './validate.js';
import { normalize } from './normalize.js';
import { hasFinalizers, identify, withoutStatusChange, withStatusOf } from './write-rules.js';

export interface CreateOptions {
  /** Keep the client's .status (the apiserver drops it); used by seed(). */
  keepStatus?: boolean;
  dryRun?: boolean;
}

export interface UpdateOptions {
  subresource?: 'status';
  dryRun?: boolean;
}

export interface PatchOptions extends UpdateOptions {
  fieldManager?: string;
}

const NAMESPACES = byPlural('v1', 'namespaces') as ResourceDef;
const SERVICES = byPlural('v1', 'services') as ResourceDef;
const SERVER_SET = ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds'];

export class ObjectApi {
  constructor(
    readonly store: Store,
    private readonly now: () => Date = () => new Date(),
  ) {}

  mustGet(res: ResourceDef, namespace: string, name: string): KubeObject {
    const found = this.store.get(res, namespace, name);
    if (!found) throw notFound(res, name);
    return found;
  }

  /** POST: 201-style creation. `namespace` comes from the URL when there is one. */
  create(
    res: ResourceDef,
    namespace: string | undefined,
    body: unknown,
    opts: CreateOptions = {},
  ): KubeObject {
    const obj = identify(res, namespace, body);
    const meta = metadataOf(obj);
    if (!asString(meta.name) && asString(meta.generateName))
      meta.name = `${asString(meta.generateName)}${randomSuffix()}`;
    const name = asString(meta.name) ?? '';
    const ns = asString(meta.namespace) ?? '';
    validateObject(res, obj);
    if (res.namespaced && !this.store.get(NAMESPACES, '', ns)) throw namespaceNotFound(ns);
    if (this.store.get(res, ns, name)) throw alreadyExists(res, name);
    for (const key of [...SERVER_SET, 'resourceVersion', 'managedFields', 'selfLink'])
      delete meta[key];
    meta.uid = randomUUID();
    meta.creationTimestamp = timestamp(this.now());
    if (res.generation) meta.generation = 1;
    const keep = res.plural === 'nodes' || (opts.keepStatus === true && isObject(obj.status));
    if (res.status && !keep) obj.status = initialStatus(res);
    applyDefaults(res, obj, { services: () => this.store.list(SERVICES) });
    normalize(res, obj);
    validateObject(res, obj);
    return opts.dryRun ? obj : this.store.put(res, obj);
  }

  /** PUT: replaces the object (or only its status); 409 when metadata.resourceVersion is stale. */
  replace(
    res: ResourceDef,
    namespace: string,
    name: string,
    body: unknown,
    opts: UpdateOptions = {},
  ): KubeObject {
    const next = identify(res, res.namespaced ? namespace : undefined, body);
    const given = asString(metadataOf(next).name);
    if (given !== undefined && given !== name) {
      throw badRequest(
        `the name of the object (${given}) does not match the name on the URL (${name})`,
      );
    }
    return this.update(res, this.mustGet(res, namespace, name), next, opts);
  }

  /** Commits `next` over `old`, enforcing immutable metadata, status rules and preconditions. */
  update(
    res: ResourceDef,
    old: KubeObject,
    next: KubeObject,
    opts: UpdateOptions = {},
  ): KubeObject {
    const oldMeta = metadataOf(old);
    const wanted = asString(metadataOf(next).resourceVersion);
    if (wanted && wanted !== oldMeta.resourceVersion)
      throw conflict(res, asString(oldMeta.name) ?? '');
    const merged = this.prepareUpdate(res, old, next, opts.subresource);
    if (deepEqual(merged, old) || opts.dryRun) return merged;
    const meta = metadataOf(merged);
    if (meta.deletionTimestamp !== undefined && !hasFinalizers(merged)) {
      this.store.put(res, merged);
      return (
        this.store.remove(res, asString(meta.namespace) ?? '', asString(meta.name) ?? '') ?? merged
      );
    }
    return this.store.put(res, merged);
  }

  /** The object to store: status rules, immutable metadata, defaults, validation, generation. */
  private prepareUpdate(
    res: ResourceDef,
    old: KubeObject,
    next: KubeObject,
    subresource: 'status' | undefined,
  ): KubeObject {
    const oldMeta = metadataOf(old);
    const merged =
      subresource === 'status' ? withStatusOf(old, next) : withoutStatusChange(res, old, next);
    const meta = metadataOf(merged);
    for (const key of ['name', 'namespace', 'resourceVersion', 'generation', ...SERVER_SET])
      meta[key] = oldMeta[key];
    delete meta.managedFields;
    merged.apiVersion = res.apiVersion;
    merged.kind = res.kind;
    if (subresource !== 'status') {
      applyDefaults(res, merged, { old, services: () => this.store.list(SERVICES) });
      validateObject(res, merged);
      if (res.generation && !deepEqual(old.spec, merged.spec))
        meta.generation = Number(oldMeta.generation ?? 1) + 1;
    }
    normalize(res, merged, old);
    return merged;
  }

  /** PATCH; server-side apply creates a missing object. */
  patch(
    res: ResourceDef,
    namespace: string,
    name: string,
    type: PatchType,
    body: unknown,
    opts: PatchOptions = {},
  ): { object: KubeObject; created: boolean } {
    if (type === 'apply' && !opts.fieldManager) {
      throw badRequest(
        'PATCH, application/apply-patch+yaml: fieldManager is required for apply requests',
      );
    }
    const old = this.store.get(res, namespace, name);
    if (!old) {
      if (type !== 'apply' || opts.subresource) throw notFound(res, name);
      const intent = applyPatch('apply', { metadata: { name } }, body);
      return {
        object: this.create(res, res.namespaced ? namespace : undefined, intent, opts),
        created: true,
      };
    }
    const patched: JsonValue = applyPatch(type, old, body);
    if (!isObject(patched)) throw unprocessable('the patch did not produce an object');
    const meta = metadataOf(patched);
    if (meta.name !== name)
      throw badRequest(
        `the name of the object (${scalarText(meta.name)}) does not match the name on the URL (${name})`,
      );
    return { object: this.update(res, old, patched, opts), created: false };
  }

  /** DELETE: see deletion.ts for finalizers, namespaces and orphaning. */
  remove(res: ResourceDef, namespace: string, name: string, opts: DeleteOptions = {}): KubeObject {
    return removeObject(this, res, namespace, name, opts, this.now);
  }
}
