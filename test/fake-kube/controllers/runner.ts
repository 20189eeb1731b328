// Runs the fake's controllers like kube-controller-manager: every store change schedules one
// reconcile pass (coalesced with setImmediate); each controller resyncs everything it owns and
// writes only what differs, so passes settle.
import type { Store, StoreEvent } from '../store.js';

export interface Controller {
  readonly name: string;
  /** Sees every store event before the pass it triggers. */
  observe?(event: StoreEvent): void;
  reconcile(): void;
}

const BURST_LIMIT = 500;

export class ControllerRunner {
  private pending: NodeJS.Immediate | NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;
  private burst = 0;
  private unsubscribe: () => void = () => undefined;

  constructor(
    private readonly store: Store,
    private readonly controllers: readonly Controller[],
  ) {}

  start(): void {
    if (this.controllers.length === 0) return;
    this.unsubscribe = this.store.subscribe((ev) => {
      for (const c of this.controllers) c.observe?.(ev);
      this.schedule();
    });
    this.schedule();
  }

  private schedule(): void {
    if (this.pending !== undefined || this.stopped) return;
    if (this.burst > BURST_LIMIT) {
      console.error(
        `fake-kube: controllers did not settle after ${BURST_LIMIT} passes; slowing down`,
      );
      this.pending = setTimeout(() => this.run(), 100);
      return;
    }
    this.pending = setImmediate(() => this.run());
  }

  private run(): void {
    this.pending = undefined;
    if (this.stopped) return;
    const before = this.store.resourceVersion;
    this.running = true;
    for (const c of this.controllers) {
      try {
        c.reconcile();
      } catch (err) {
        console.error(`fake-kube: controller ${c.name} failed`, err);
      }
    }
    this.running = false;
    this.burst = this.store.resourceVersion === before ? 0 : this.burst + 1;
  }

  /** Resolves once no pass is pending (every controller has caught up with the store). */
  async settle(maxPasses = 10000): Promise<void> {
    for (let i = 0; i < maxPasses && (this.pending !== undefined || this.running); i++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    if (this.pending !== undefined) {
      clearImmediate(this.pending as NodeJS.Immediate);
      clearTimeout(this.pending as NodeJS.Timeout);
    }
    this.pending = undefined;
  }
}
