// The agent's work queue: one pass per pod at a time, requests during a pass coalesce into one
// more pass, different pods run in parallel up to the limit, failures retry with backoff.
import t from 'tap';
import { KeyedQueue } from '../../agent/queue.js';

const tick = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms));

t.test('serial per key, coalesced, parallel across keys', async (t) => {
  const log: string[] = [];
  let active = 0;
  let maxActive = 0;
  const perKey = new Map<string, number>();
  const q = new KeyedQueue({
    concurrency: 2,
    run: async (k) => {
      perKey.set(k, (perKey.get(k) ?? 0) + 1);
      active++;
      maxActive = Math.max(maxActive, active);
      log.push(`start ${k}`);
      await tick(20);
      log.push(`end ${k}`);
      active--;
    },
    onError: () => {},
  });
  q.add('a');
  q.add('a');
  q.add('b');
  q.add('c');
  await tick(1);
  q.add('a');
  q.add('a');
  await q.idle();
  await tick(30);
  await q.idle();
  t.equal(perKey.get('a'), 2, 'a ran once, then once more for the requests during its pass');
  t.equal(perKey.get('b'), 1);
  t.equal(perKey.get('c'), 1);
  t.equal(maxActive, 2, 'concurrency limit held');
  const aStarts = log.filter((l) => l === 'start a').length;
  t.equal(aStarts, 2);
  t.ok(log.indexOf('end a') < log.lastIndexOf('start a'), 'never two passes of one key at once');
  await q.stop();
});

t.test('a failing pass is reported and retried with backoff until it succeeds', async (t) => {
  let calls = 0;
  const errors: string[] = [];
  const q = new KeyedQueue({
    concurrency: 1,
    backoff: { initialMs: 10, maxMs: 40 },
    run: async () => {
      calls++;
      if (calls < 3) throw new Error(`boom ${calls}`);
    },
    onError: (k, err) => errors.push(`${k}: ${(err as Error).message}`),
  });
  q.add('x');
  for (let i = 0; i < 100 && calls < 3; i++) await tick(10);
  t.equal(calls, 3, 'retried until it passed');
  t.same(errors, ['x: boom 1', 'x: boom 2']);
  await q.stop();
  q.add('x');
  await tick(20);
  t.equal(calls, 3, 'a stopped queue takes no work');
});
