// A snapshot: everything one proxy (node id) should have, per type, each resource encoded once,
// with a deterministic version per type (a hash over names and content hashes). Same resources
// in, same versions out, whatever the order they were given in.
import { contentHash, encodeResource, type EncodedResource } from './encode.js';
import { PUSH_ORDER, TYPE, type TypeUrl } from './types.js';

export interface TypeResources {
  version: string;
  items: ReadonlyMap<string, EncodedResource>;
}

/** Input: per type, named resource objects (`{name, resource}`). */
export type SnapshotInput = Partial<
  Record<TypeUrl, ReadonlyArray<{ name: string; resource: object }>>
>;

export function versionOf(items: Iterable<EncodedResource>): string {
  const parts = [...items].map((r) => `${r.name}\u0000${r.hash}`).sort();
  return parts.length === 0 ? 'empty' : contentHash(parts.join('\u0001'));
}

export class Snapshot {
  readonly types: ReadonlyMap<TypeUrl, TypeResources>;
  private print: string | undefined;

  private constructor(types: Map<TypeUrl, TypeResources>) {
    this.types = types;
  }

  /**
   * Encodes and versions `input`; throws EncodeError or on a duplicate name. A type whose list
   * holds exactly `previous`'s objects, in the same order, is `previous`'s (the same map and
   * version): a change to one route leaves the other types' maps, and streams' diffs, untouched.
   */
  static create(input: SnapshotInput, previous?: Snapshot): Snapshot {
    const types = new Map<TypeUrl, TypeResources>();
    for (const url of PUSH_ORDER) {
      const list = input[url];
      if (!list) continue;
      const before = previous?.types.get(url);
      if (before && sameObjects(list, before.items)) {
        types.set(url, before);
        continue;
      }
      const items = new Map<string, EncodedResource>();
      for (const { name, resource } of list) {
        if (items.has(name)) throw new Error(`duplicate ${url} resource ${name}`);
        items.set(name, encodeResource(url, name, resource));
      }
      types.set(url, { version: versionOf(items.values()), items });
    }
    return new Snapshot(types);
  }

  static fromEncoded(types: Map<TypeUrl, ReadonlyMap<string, EncodedResource>>): Snapshot {
    const out = new Map<TypeUrl, TypeResources>();
    for (const [url, items] of types) out.set(url, { version: versionOf(items.values()), items });
    return new Snapshot(out);
  }

  version(url: TypeUrl): string | undefined {
    return this.types.get(url)?.version;
  }

  items(url: TypeUrl): ReadonlyMap<string, EncodedResource> {
    return this.types.get(url)?.items ?? EMPTY;
  }

  /** One string naming every type's version; equal snapshots have equal fingerprints. */
  fingerprint(): string {
    return (this.print ??= PUSH_ORDER.map((u) => this.version(u) ?? '-').join('/'));
  }

  resourceCount(): number {
    let n = 0;
    for (const t of this.types.values()) n += t.items.size;
    return n;
  }
}

const EMPTY: ReadonlyMap<string, EncodedResource> = new Map();

/** Are `list`'s objects, in order, those `items` was encoded from? */
function sameObjects(
  list: ReadonlyArray<{ name: string; resource: object }>,
  items: ReadonlyMap<string, EncodedResource>,
): boolean {
  if (list.length !== items.size) return false;
  let i = 0;
  for (const r of items.values()) {
    const n = list[i++];
    if (n?.name !== r.name || n.resource !== r.source) return false;
  }
  return true;
}

export { TYPE };
