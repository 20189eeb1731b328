// How many response bytes all streams together may have handed to gRPC and not yet seen
// written out. When 1,000 proxies connect at once each wants ~1.6 MB; written all at once they
// sit in HTTP/2 buffers together (1.5–1.8 GB RSS at the scale benchmark). A stream that finds the
// budget spent builds nothing: it waits, and is woken in arrival order as writes complete, so
// memory stays near the budget while every proxy still gets its configuration (istiod throttles
// its pushes for the same reason).

export const DEFAULT_WRITE_BUDGET_BYTES = 64 * 1024 * 1024;

/**
 * A write still not out after this long stops counting: a proxy that stopped reading (its HTTP/2
 * window full) must not hold the budget, and with it every other proxy's updates, forever.
 */
export const DEFAULT_WRITE_STALL_MS = 5_000;

export class WriteBudget {
  private inFlight = 0;
  private readonly waiting = new Set<() => void>();

  constructor(
    readonly limitBytes: number = DEFAULT_WRITE_BUDGET_BYTES,
    readonly stallMs: number = DEFAULT_WRITE_STALL_MS,
  ) {
    if (!(limitBytes > 0)) throw new RangeError(`write budget must be positive, got ${limitBytes}`);
    if (!(stallMs > 0)) throw new RangeError(`write stall time must be positive, got ${stallMs}`);
  }

  /** True while a new response may be built. */
  get open(): boolean {
    return this.inFlight < this.limitBytes;
  }

  get bytesInFlight(): number {
    return this.inFlight;
  }

  get waitingStreams(): number {
    return this.waiting.size;
  }

  /**
   * Accounts `bytes` as in flight; the returned function (idempotent) gives them back, and so
   * does the stall timer.
   */
  take(bytes: number): () => void {
    this.inFlight += bytes;
    let done = false;
    const release = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      this.inFlight -= bytes;
      this.wake();
    };
    const timer = setTimeout(release, this.stallMs);
    timer.unref();
    return release;
  }

  /** Calls `fn` once the budget is open again (at most once per registration). */
  wait(fn: () => void): void {
    this.waiting.add(fn);
  }

  cancel(fn: () => void): void {
    this.waiting.delete(fn);
  }

  private wake(): void {
    for (const fn of this.waiting) {
      if (!this.open) return;
      this.waiting.delete(fn);
      fn();
    }
  }
}
