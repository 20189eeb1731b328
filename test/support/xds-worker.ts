// A proxyless gRPC client in its own process (a "pod" of its own): @grpc/grpc-js-xds keeps load
// balancer state alive after its channel closes, so tests run it here and kill it by pid when
// done. Commands arrive over IPC; each call has a deadline and every loop is bounded.
import * as grpc from '@grpc/grpc-js';
import { callHi, callPath } from './backends.js';
import { xdsEchoClient } from './xds-client.js';

interface Command {
  id: number;
  op: 'tally' | 'timed' | 'burst';
  n?: number;
  metadata?: Record<string, string>;
  deadlineMs?: number;
  /** tally: call this method path instead of /tm.test.Echo/Hi. */
  path?: string;
  /** burst: start the calls this many ms apart (0: all in one tick). */
  staggerMs?: number;
}

const [port, nodeId, target] = process.argv.slice(2);
const client = xdsEchoClient(Number(port), nodeId ?? '', target ?? '');

function md(m: Record<string, string> | undefined): grpc.Metadata {
  const out = new grpc.Metadata();
  for (const [k, v] of Object.entries(m ?? {})) out.set(k, v);
  return out;
}

async function run(c: Command): Promise<unknown> {
  const n = Math.min(c.n ?? 1, 10_000);
  if (c.op === 'timed') {
    const start = Date.now();
    const who = await callHi(client, c.deadlineMs ?? 5000, md(c.metadata));
    return { who, ms: Date.now() - start };
  }
  const counts: Record<string, number> = {};
  if (c.op === 'burst') {
    const gap = Math.min(Math.max(c.staggerMs ?? 0, 0), 1000);
    const all = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        if (gap > 0) await new Promise((r) => setTimeout(r, gap * i));
        return callHi(client, c.deadlineMs ?? 5000, md(c.metadata));
      }),
    );
    for (const who of all) counts[who] = (counts[who] ?? 0) + 1;
    return counts;
  }
  const path = c.path;
  for (let i = 0; i < n; i++) {
    const who = path
      ? await callPath(client, path, c.deadlineMs ?? 5000, md(c.metadata))
      : await callHi(client, c.deadlineMs ?? 5000, md(c.metadata));
    counts[who] = (counts[who] ?? 0) + 1;
  }
  return counts;
}

process.on('message', (c: Command) => {
  run(c).then(
    (result) => process.send?.({ id: c.id, result }),
    (err: unknown) => process.send?.({ id: c.id, error: String(err) }),
  );
});
process.send?.({ id: 0, result: 'ready' });
