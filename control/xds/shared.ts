// The two sharing devices the xDS server uses to give 1,000 alike streams one copy of what they
// have in common: content interning (equal content, one object, forgotten when nobody holds it)
// and memoisation per pair of objects (computed once, kept while both objects live).

/** One object per content key; an entry goes when its object is garbage collected. */
export class Interner<T extends object> {
  private readonly byKey = new Map<string, WeakRef<T>>();
  private readonly forget = new FinalizationRegistry<string>((key) => {
    if (this.byKey.get(key)?.deref() === undefined) this.byKey.delete(key);
  });

  /** The object already interned under `key`, else `value` (which becomes it). */
  intern(key: string, value: T): T {
    const hit = this.byKey.get(key)?.deref();
    if (hit) return hit;
    this.byKey.set(key, new WeakRef(value));
    this.forget.register(value, key);
    return value;
  }
}

/** `compute(a, b)` remembered per (a, b) by identity, for as long as both are alive. */
export function pairMemo<A extends object, B extends object, V>(
  compute: (a: A, b: B) => V,
): (a: A, b: B) => V {
  const byA = new WeakMap<A, WeakMap<B, { value: V }>>();
  return (a, b) => {
    let byB = byA.get(a);
    if (!byB) byA.set(a, (byB = new WeakMap<B, { value: V }>()));
    let hit = byB.get(b);
    if (!hit) byB.set(b, (hit = { value: compute(a, b) }));
    return hit.value;
  };
}
