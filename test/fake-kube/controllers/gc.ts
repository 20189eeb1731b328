// Garbage collection by ownerReferences: when an owner is deleted, dependents whose owners are all
// gone are deleted (background cascading); dependents with a surviving owner lose the dangling
// reference. Only deletions observed by the fake trigger it: seeded objects that point at owners
// that never existed are left alone.
import { asObjects, clone, scalarText } from '../json.js';
import { metadataOf, nameOf, namespaceOf, uidOf } from '../kube.js';
import type { ObjectApi } from '../objects.js';
import { RESOURCES } from '../registry.js';
import type { StoreEvent } from '../store.js';
import { tolerant } from './util.js';
import type { Controller } from './runner.js';

export class GarbageCollector implements Controller {
  readonly name = 'garbage-collector';
  private readonly gone = new Set<string>();

  constructor(private readonly api: ObjectApi) {}

  observe(event: StoreEvent): void {
    if (event.type === 'DELETED') this.gone.add(uidOf(event.object));
  }

  reconcile(): void {
    if (this.gone.size === 0) return;
    const gone = new Set(this.gone);
    this.gone.clear();
    for (const res of RESOURCES) {
      for (const obj of this.api.store.list(res)) {
        const refs = asObjects(metadataOf(obj).ownerReferences);
        if (!refs.some((r) => gone.has(scalarText(r.uid)))) continue;
        const alive = refs.filter((r) => this.api.store.byUid(scalarText(r.uid)) !== undefined);
        tolerant(() => {
          if (alive.length === 0) {
            this.api.remove(res, namespaceOf(obj), nameOf(obj), {
              propagationPolicy: 'Background',
            });
            return;
          }
          const next = clone(obj);
          metadataOf(next).ownerReferences = alive;
          delete metadataOf(next).resourceVersion;
          this.api.update(res, obj, next);
        });
      }
    }
  }
}
