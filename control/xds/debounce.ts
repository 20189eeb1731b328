// Coalesces changes: keys (node ids) that change within `quietMs` of each other are flushed
// together, and no change waits longer than `maxMs` under constant churn (istiod's
// PILOT_DEBOUNCE_AFTER / _MAX). An urgent change (endpoints going away: traffic to them fails)
// waits only its own quiet window, however much churn follows it. One flush runs at a time;
// changes during a flush start the next window. Timers are injected so tests need not sleep.

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface DebounceOptions<K> {
  quietMs: number;
  maxMs: number;
  /** Receives the keys and the time of the first change of the batch. */
  flush: (keys: Set<K>, firstChangeAt: number) => void | Promise<void>;
  timers?: Timers;
  onError?: (err: unknown) => void;
}

export class Debouncer<K> {
  private pending = new Set<K>();
  private first: number | undefined;
  private last = 0;
  /** When the earliest urgent change still pending is due. */
  private urgentDue: number | undefined;
  private timer: unknown;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly timers: Timers;

  constructor(private readonly opts: DebounceOptions<K>) {
    this.timers = opts.timers ?? realTimers;
  }

  /** `urgent`: flush within the quiet window of this change, not of the last one. */
  add(keys: Iterable<K>, urgent = false): void {
    if (this.stopped) return;
    const now = this.timers.now();
    for (const k of keys) this.pending.add(k);
    this.first ??= now;
    this.last = now;
    if (urgent) this.urgentDue = Math.min(this.urgentDue ?? Infinity, now + this.opts.quietMs);
    if (!this.running) this.arm();
  }

  private due(): number {
    const first = this.first ?? this.timers.now();
    const dueQuiet = this.last + this.opts.quietMs;
    return Math.min(dueQuiet, first + this.opts.maxMs, this.urgentDue ?? Infinity);
  }

  private arm(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    if (this.first === undefined) return;
    const wait = Math.max(0, this.due() - this.timers.now());
    this.timer = this.timers.setTimeout(() => this.fire(), wait);
  }

  private fire(): void {
    this.timer = undefined;
    const now = this.timers.now();
    const first = this.first ?? now;
    if (now < this.due()) return this.arm();
    const keys = this.pending;
    this.pending = new Set();
    this.first = undefined;
    this.urgentDue = undefined;
    this.running = Promise.resolve()
      .then(() => this.opts.flush(keys, first))
      .catch((err: unknown) => this.opts.onError?.(err))
      .finally(() => {
        this.running = undefined;
        if (this.pending.size > 0 && !this.stopped) this.arm();
      });
  }

  /** Resolves when nothing is pending or running. */
  async idle(): Promise<void> {
    while (this.running || this.timer !== undefined) {
      await (this.running ?? new Promise((r) => setTimeout(r, 5)));
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}
