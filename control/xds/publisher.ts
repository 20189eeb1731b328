// Debounced publishing: callers say which nodes changed; after the quiet window (or the maximum
// delay) each affected node's snapshot is rebuilt once and set in the cache, stamped with the
// time of the first change so ACKs can report convergence from the change itself.
import type { Logger } from '../../lib/log.js';
import type { SnapshotCache } from './cache.js';
import { Debouncer, type Timers } from './debounce.js';
import type { Snapshot } from './snapshot.js';

export interface PublisherOptions {
  cache: SnapshotCache;
  log: Logger;
  /** Builds the snapshot for one node; undefined removes the node's entry. */
  build: (nodeId: string) => Snapshot | undefined;
  /** Every node id to rebuild when a change may concern them all (changedAll). */
  allNodes?: () => Iterable<string>;
  quietMs?: number;
  maxMs?: number;
  timers?: Timers;
  /** Observes the seconds one batch took to build and set. */
  onBatch?: (seconds: number, nodes: number) => void;
}

/** Debouncer key standing for allNodes() (not a node id: node ids have no NUL). */
const ALL = '\u0000all';

export class SnapshotPublisher {
  private readonly debouncer: Debouncer<string>;
  private batches = 0;

  constructor(private readonly opts: PublisherOptions) {
    this.debouncer = new Debouncer<string>({
      quietMs: opts.quietMs ?? 100,
      maxMs: opts.maxMs ?? 1000,
      timers: opts.timers,
      flush: (keys, first) => this.publish(keys, first),
      onError: (err) => opts.log.error({ err }, 'snapshot batch failed'),
    });
  }

  /** `urgent`: endpoints went away; push within the quiet window even under churn. */
  changed(nodeIds: Iterable<string>, urgent = false): void {
    this.debouncer.add(nodeIds, urgent);
  }

  /**
   * A change that may concern every node: the list is read once when the batch is built, not on
   * each of the thousands of events a churn storm brings.
   */
  changedAll(urgent = false): void {
    this.debouncer.add([ALL], urgent);
  }

  /** Builds and sets now, bypassing the debounce (start-up, tests). */
  publishNow(nodeIds: Iterable<string>): void {
    this.publish(new Set(nodeIds), performance.now());
  }

  private publish(keys: Set<string>, firstChangeAt: number): void {
    const started = performance.now();
    if (keys.delete(ALL)) for (const id of this.opts.allNodes?.() ?? []) keys.add(id);
    this.opts.log.debug({ nodes: keys.size }, 'publishing snapshots');
    for (const id of keys) this.publishOne(id, firstChangeAt);
    this.batches++;
    this.opts.onBatch?.((performance.now() - started) / 1000, keys.size);
  }

  private publishOne(nodeId: string, changedAt: number): void {
    let snap: Snapshot | undefined;
    try {
      snap = this.opts.build(nodeId);
    } catch (err) {
      this.opts.log.error({ err, nodeId }, 'building the snapshot failed; the previous one stays');
      return;
    }
    if (!snap) {
      this.opts.cache.delete(nodeId);
      return;
    }
    const r = this.opts.cache.set(nodeId, snap, { changedAt });
    if (!r.valid)
      this.opts.log.error(
        { nodeId, errors: r.errors },
        'inconsistent snapshot refused; the previous one stays',
      );
  }

  get batchCount(): number {
    return this.batches;
  }

  idle(): Promise<void> {
    return this.debouncer.idle();
  }

  stop(): void {
    this.debouncer.stop();
  }
}
