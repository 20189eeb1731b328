// The debouncer with a fake clock: changes within the quiet window coalesce into one flush,
// constant churn still flushes at the maximum delay, and changes during a flush start the next.
import t from 'tap';
import { Debouncer, type Timers } from '../../control/xds/debounce.js';

class FakeClock implements Timers {
  t = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private id = 0;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    this.timers.set(++this.id, { at: this.t + ms, fn });
    return this.id;
  }
  clearTimeout(h: unknown): void {
    this.timers.delete(h as number);
  }
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers.entries()]
        .filter(([, v]) => v.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
      await new Promise((r) => setImmediate(r));
    }
    this.t = end;
    await new Promise((r) => setImmediate(r));
  }
}

function setup(quietMs: number, maxMs: number) {
  const clock = new FakeClock();
  const flushes: { keys: string[]; at: number; first: number }[] = [];
  const d = new Debouncer<string>({
    quietMs,
    maxMs,
    timers: clock,
    flush: (keys, first) => {
      flushes.push({ keys: [...keys].sort(), at: clock.now(), first });
    },
  });
  return { clock, flushes, d };
}

t.test('changes inside the quiet window coalesce into one flush per key set', async (t) => {
  const { clock, flushes, d } = setup(100, 1000);
  d.add(['a']);
  await clock.advance(50);
  d.add(['b', 'a']);
  await clock.advance(99);
  t.equal(flushes.length, 0, 'still quiet-waiting');
  await clock.advance(1);
  t.same(flushes, [{ keys: ['a', 'b'], at: 150, first: 0 }]);
});

t.test('constant churn flushes at the maximum delay', async (t) => {
  const { clock, flushes, d } = setup(100, 1000);
  for (let i = 0; i < 30; i++) {
    d.add([`k${i}`]);
    await clock.advance(50);
  }
  t.ok(flushes.length >= 1, 'at least one flush under churn');
  t.equal(flushes[0]?.at, 1000, 'the first flush happens at max delay');
  t.equal(flushes[0]?.keys.length, 20, 'with every key seen so far');
  d.stop();
});

t.test('an urgent change flushes after its own quiet window, whatever churn follows', async (t) => {
  const { clock, flushes, d } = setup(100, 1000);
  d.add(['a']);
  await clock.advance(40);
  d.add(['gone'], true);
  for (let i = 0; i < 5; i++) {
    await clock.advance(20);
    d.add([`c${i}`]);
  }
  t.same(
    flushes.map((f) => [f.at, f.first]),
    [[140, 0]],
    '100 ms after the urgent change, not 100 ms after the last one (nor at 1000)',
  );
  t.ok(flushes[0]?.keys.includes('gone'));
  for (let i = 0; i < 5; i++) {
    await clock.advance(20);
    d.add([`d${i}`]);
  }
  await clock.advance(2000);
  t.same(
    flushes.map((f) => f.at),
    [140, 340],
    'the next batch has no urgent change: it waits for quiet again',
  );
});

t.test('quietMs 0 flushes on the next tick; stop drops pending work', async (t) => {
  const { clock, flushes, d } = setup(0, 0);
  d.add(['x']);
  await clock.advance(0);
  t.same(
    flushes.map((f) => f.keys),
    [['x']],
  );
  d.add(['y']);
  d.stop();
  await clock.advance(1000);
  t.equal(flushes.length, 1);
});

t.test('a slow flush: changes meanwhile wait for it, then flush together', async (t) => {
  const clock = new FakeClock();
  const flushes: string[][] = [];
  let release: () => void = () => {};
  const d = new Debouncer<string>({
    quietMs: 10,
    maxMs: 100,
    timers: clock,
    flush: async (keys) => {
      flushes.push([...keys].sort());
      if (flushes.length === 1) await new Promise<void>((r) => (release = r));
    },
  });
  d.add(['a']);
  await clock.advance(10);
  d.add(['b']);
  d.add(['c']);
  await clock.advance(50);
  t.same(flushes, [['a']], 'one flush at a time');
  release();
  await new Promise((r) => setImmediate(r));
  await clock.advance(10);
  t.same(flushes, [['a'], ['b', 'c']]);
});

t.test('publisher: changedAll reads the node list once per batch, when it is built', async (t) => {
  const { SnapshotPublisher } = await import('../../control/xds/publisher.js');
  const { SnapshotCache } = await import('../../control/xds/cache.js');
  const { Snapshot } = await import('../../control/xds/snapshot.js');
  const { pino } = await import('pino');
  const clock = new FakeClock();
  let nodes = ['a.ns', 'b.ns'];
  let reads = 0;
  const built: string[] = [];
  const p = new SnapshotPublisher({
    cache: new SnapshotCache(),
    log: pino({ level: 'silent' }),
    build: (id) => {
      built.push(id);
      return Snapshot.create({});
    },
    allNodes: () => {
      reads++;
      return nodes;
    },
    quietMs: 100,
    maxMs: 1000,
    timers: clock,
  });
  for (let i = 0; i < 500; i++) p.changedAll();
  p.changed(['c.ns']);
  nodes = ['a.ns', 'b.ns', 'd.ns'];
  t.equal(reads, 0, 'not read while changes arrive');
  await clock.advance(150);
  await p.idle();
  t.equal(reads, 1, 'read once for the batch');
  t.same(built.sort(), ['a.ns', 'b.ns', 'c.ns', 'd.ns'], 'the list as it is at build time');
});
