// The proxies spread over one or more load processes (nodes dealt round-robin), seen as one:
// each command goes to every process and the answers are merged.
import type { LoadAcks } from './scale-measure.js';
import { Child } from './scale-proc.js';
import type { Holds } from './scale-storm.js';

interface CpuUsage {
  cpu: { user: number; system: number };
}

export class Loads {
  readonly procs: Child[];

  constructor(count: number) {
    this.procs = Array.from(
      { length: Math.max(1, count) },
      (_, i) => new Child(`load-${i}`, 'bench/scale-load.ts'),
    );
  }

  private all<T>(
    cmd: string,
    args: (i: number) => Record<string, unknown> = () => ({}),
  ): Promise<T[]> {
    return Promise.all(this.procs.map((c, i) => c.call<T>(cmd, args(i))));
  }

  async start(port: number, nodes: string[], delta: boolean, watch: string[]): Promise<void> {
    const n = this.procs.length;
    await this.all('start', (k) => ({
      port,
      nodes: nodes.filter((_, i) => i % n === k),
      delta,
      watch,
    }));
  }

  /** Resolves once every process has had no response for `ms`, all at the same time. */
  async quiet(ms: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.all('quiet', () => ({ ms, timeoutMs: Math.max(1, deadline - Date.now()) }));
      const gaps = await this.all<number>('gap');
      if (gaps.every((g) => g >= ms)) return;
    }
  }

  async acks(): Promise<LoadAcks> {
    return Object.assign({}, ...(await this.all<LoadAcks>('acks'))) as LoadAcks;
  }

  async bytes(node: string): Promise<number> {
    const each = await this.all<{ bytes: number }>('bytes', () => ({ node }));
    return each.reduce((sum, b) => sum + b.bytes, 0);
  }

  async holds(): Promise<Holds> {
    const out: Holds = {};
    for (const h of await this.all<Holds>('holds')) {
      for (const [ip, x] of Object.entries(h)) {
        const o = (out[ip] ??= { held: 0, still: [], dropped: [] });
        o.held += x.held;
        o.still.push(...x.still);
        o.dropped.push(...x.dropped);
      }
    }
    return out;
  }

  /** CPU microseconds used by all the load processes so far. */
  async cpuUs(): Promise<number> {
    const each = await this.all<CpuUsage>('usage');
    return each.reduce((sum, u) => sum + u.cpu.user + u.cpu.system, 0);
  }

  async profile(file?: (i: number) => string): Promise<void> {
    await this.all('profile', (i) => (file ? { file: file(i) } : {}));
  }

  async stop(): Promise<void> {
    await Promise.all(this.procs.map((c) => c.stop()));
  }
}
