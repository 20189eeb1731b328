// The snapshot cache (go-control-plane's boundary): translation sets one snapshot per node id;
// streams watch their node's entry. A snapshot that fails the consistency check is refused and
// the previous one keeps being served.
import { fail, ok, type Validation } from '../../lib/validation.js';
import { checkConsistent } from './consistency.js';
import type { Snapshot } from './snapshot.js';

export interface CacheEntry {
  snapshot: Snapshot;
  /** performance.now() of the change that produced it, for convergence metrics. */
  changedAt: number;
}

export type SnapshotWatcher = (entry: CacheEntry) => void;

export interface SetOptions {
  changedAt?: number;
  /** Skip the consistency check (tests that serve deliberately incomplete snapshots). */
  unchecked?: boolean;
}

/** Snapshots are immutable and shared by many nodes: check each one once. */
const checked = new WeakMap<Snapshot, Validation<true>>();

function consistent(s: Snapshot): Validation<true> {
  let r = checked.get(s);
  if (!r) {
    r = checkConsistent(s);
    checked.set(s, r);
  }
  return r;
}

export class SnapshotCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly watchers = new Map<string, Set<SnapshotWatcher>>();

  /** Stores `snapshot` for `nodeId` and notifies its streams; unchanged snapshots are a no-op. */
  set(nodeId: string, snapshot: Snapshot, opts: SetOptions = {}): Validation<true> {
    if (!opts.unchecked) {
      const c = consistent(snapshot);
      if (!c.valid) return fail(...c.errors.map((e) => `snapshot for ${nodeId}: ${e}`));
    }
    const prev = this.entries.get(nodeId);
    if (prev && prev.snapshot.fingerprint() === snapshot.fingerprint()) return ok(true);
    const entry = { snapshot, changedAt: opts.changedAt ?? performance.now() };
    this.entries.set(nodeId, entry);
    for (const w of this.watchers.get(nodeId) ?? []) w(entry);
    return ok(true);
  }

  get(nodeId: string): CacheEntry | undefined {
    return this.entries.get(nodeId);
  }

  delete(nodeId: string): boolean {
    return this.entries.delete(nodeId);
  }

  nodeIds(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** Calls `fn` on every later change of `nodeId`'s snapshot; returns the unsubscribe. */
  watch(nodeId: string, fn: SnapshotWatcher): () => void {
    let set = this.watchers.get(nodeId);
    if (!set) {
      set = new Set();
      this.watchers.set(nodeId, set);
    }
    set.add(fn);
    return () => {
      const s = this.watchers.get(nodeId);
      s?.delete(fn);
      if (s?.size === 0) this.watchers.delete(nodeId);
    };
  }

  watcherCount(): number {
    let n = 0;
    for (const s of this.watchers.values()) n += s.size;
    return n;
  }
}
