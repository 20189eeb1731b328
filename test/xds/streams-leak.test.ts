// 1000 concurrent ADS streams opened, served and closed: the server's stream set and the
// cache's watchers empty again, and heap and handle counts return to their baseline.
import t from 'tap';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Snapshot } from '../../control/xds/snapshot.js';
import { TYPE } from '../../control/xds/types.js';
import { adsChannel, deltaClient, sotwClient } from '../support/ads-client.js';
import { splitInput } from '../support/xds-fixtures.js';
import { startXds } from '../support/xds-harness.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 50));
    gc();
  }
}

async function until(cond: () => boolean, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return cond();
}

const handles = (): number =>
  process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap').length;

t.test('1000 streams open and close without leaks', async (t) => {
  const h = await startXds(t);
  const N = 1000;
  const nodes = Array.from({ length: N }, (_, i) => `pod-${i}.default`);
  const snap = Snapshot.create(splitInput('svc', { a: 1, b: 2 }, { a: 50, b: 50 }));
  for (const n of nodes) h.cache.set(n, snap);
  const channel = adsChannel(h.port);
  t.teardown(() => channel.close());
  let baseHeap = 0;
  let baseHandles = 0;
  const heaps: number[] = [];
  // Round 0 warms everything up (JIT, grpc-js pools); rounds 1-3 must not grow the heap.
  for (let round = 0; round < 4; round++) {
    const clients = nodes.map((id, i) => {
      const c = i % 2 === 0 ? sotwClient(channel) : deltaClient(channel);
      c.send({ node: { id }, type_url: TYPE.cluster });
      return c;
    });
    const first = await Promise.allSettled(clients.map((c) => c.next(10_000)));
    const answered = first.filter((r) => r.status === 'fulfilled').length;
    const errors = clients.filter((c) => c.error).map((c) => c.error?.details);
    t.equal(
      answered,
      N,
      `round ${round}: every stream got its clusters (errors: ${errors.length} ${errors[0] ?? ''}; sent ${h.sent.length})`,
    );
    t.equal(h.server.openStreams(), N, `round ${round}: ${N} streams open`);
    t.equal(h.cache.watcherCount(), N, `round ${round}: ${N} cache watchers`);
    // Half-close, as Envoy does on shutdown: a burst of 1000 RST_STREAMs would (rightly) trip
    // Node's HTTP/2 rapid-reset protection and close the whole session.
    for (const c of clients) c.end();
    t.ok(
      await until(() => h.server.openStreams() === 0 && h.cache.watcherCount() === 0),
      `round ${round}: all streams and watchers gone`,
    );
    h.sent.length = 0; // the test's own event log, not server state
    await settle();
    heaps.push(process.memoryUsage().heapUsed);
    if (round === 0) {
      baseHeap = heaps[0] ?? 0;
      baseHandles = handles();
    }
  }
  const growth = (heaps.at(-1) ?? 0) - baseHeap;
  const mib = heaps.map((x) => (x / 2 ** 20).toFixed(1)).join(', ');
  t.comment(`heap after each round (MiB): ${mib}; handles ${baseHandles} -> ${handles()}`);
  t.ok(growth < 4 * 2 ** 20, 'heap back near baseline after 3000 more streams (< 4 MiB growth)');
  t.ok(handles() <= baseHandles, 'no handle left behind');
});
