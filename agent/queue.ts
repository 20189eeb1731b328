// Work per key (a pod uid), serialised per key but not across keys: at most one pass per pod at
// a time, a request during a pass runs one more pass after it (requests coalesce), and at most
// `concurrency` pods are worked on at once. A failed pass is retried after a capped backoff.

export interface KeyedQueueOptions {
  concurrency: number;
  run: (key: string) => Promise<void>;
  onError: (key: string, err: unknown) => void;
  backoff?: { initialMs: number; maxMs: number };
}

export class KeyedQueue {
  private readonly running = new Set<string>();
  private readonly again = new Set<string>();
  private readonly waiting: string[] = [];
  private readonly queued = new Set<string>();
  private readonly retries = new Map<string, { attempt: number; timer: NodeJS.Timeout }>();
  private readonly idleWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(private readonly o: KeyedQueueOptions) {}

  add(key: string): void {
    if (this.stopped) return;
    if (this.running.has(key)) {
      this.again.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.waiting.push(key);
    this.pump();
  }

  private pump(): void {
    while (this.running.size < this.o.concurrency && this.waiting.length > 0) {
      const key = this.waiting.shift() as string;
      this.queued.delete(key);
      this.running.add(key);
      void this.runOne(key);
    }
    if (this.running.size === 0 && this.waiting.length === 0) {
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private async runOne(key: string): Promise<void> {
    try {
      await this.o.run(key);
      this.clearRetry(key);
    } catch (err) {
      this.o.onError(key, err);
      this.scheduleRetry(key);
    } finally {
      this.running.delete(key);
      if (this.again.delete(key)) this.add(key);
      this.pump();
    }
  }

  private clearRetry(key: string): void {
    const r = this.retries.get(key);
    if (r) clearTimeout(r.timer);
    this.retries.delete(key);
  }

  private scheduleRetry(key: string): void {
    if (this.stopped) return;
    const b = this.o.backoff ?? { initialMs: 1000, maxMs: 60_000 };
    const attempt = (this.retries.get(key)?.attempt ?? 0) + 1;
    this.clearRetry(key);
    const delay = Math.min(b.maxMs, b.initialMs * 2 ** Math.min(attempt - 1, 16));
    const timer = setTimeout(() => this.add(key), delay);
    timer.unref();
    this.retries.set(key, { attempt, timer });
  }

  /** Resolves when nothing is running or waiting (retries scheduled for later do not count). */
  idle(): Promise<void> {
    if (this.running.size === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Stops taking work and cancels retries; passes already running finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.waiting.length = 0;
    this.queued.clear();
    for (const k of [...this.retries.keys()]) this.clearRetry(k);
    await this.idle();
  }
}
