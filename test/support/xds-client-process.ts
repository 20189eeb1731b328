// Drives a proxyless gRPC xDS client running in a child process (see xds-worker.ts) and stops
// it by pid at teardown.
import { execaNode } from 'execa';
import type { Teardown } from '../fake-kube/testing.js';

type Reply = { id: number; result?: unknown; error?: string };

export interface RemoteClient {
  tally(n: number, metadata?: Record<string, string>): Promise<Record<string, number>>;
  /** `n` sequential calls on a method path other than /tm.test.Echo/Hi. */
  tallyPath(n: number, path: string): Promise<Record<string, number>>;
  timed(metadata?: Record<string, string>): Promise<{ who: string; ms: number }>;
  /** n concurrent calls, started `staggerMs` apart (default all at once). */
  burst(n: number, staggerMs?: number): Promise<Record<string, number>>;
  stop(): void;
}

export async function remoteXdsClient(
  t: Teardown,
  xdsPort: number,
  nodeId: string,
  target: string,
): Promise<RemoteClient> {
  const child = execaNode('test/support/xds-worker.ts', [String(xdsPort), nodeId, target], {
    nodeOptions: ['--import', 'tsx'],
    ipc: true,
    reject: false,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const stop = (): void => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  };
  t.teardown(async () => {
    stop();
    await child;
  });
  const pending = new Map<number, (r: Reply) => void>();
  let next = 0;
  const ready = new Promise<void>((resolve) => pending.set(0, () => resolve()));
  child.on('message', (m: Reply) => {
    pending.get(m.id)?.(m);
    pending.delete(m.id);
  });
  await ready;
  const ask = (cmd: object): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = ++next;
      pending.set(id, (r) => (r.error ? reject(new Error(r.error)) : resolve(r.result)));
      child.send({ id, ...cmd });
    });
  return {
    tally: async (n, metadata) =>
      (await ask({ op: 'tally', n, metadata })) as Record<string, number>,
    tallyPath: async (n, path) => (await ask({ op: 'tally', n, path })) as Record<string, number>,
    burst: async (n, staggerMs) =>
      (await ask({ op: 'burst', n, staggerMs })) as Record<string, number>,
    timed: async (metadata) =>
      (await ask({ op: 'timed', metadata })) as { who: string; ms: number },
    stop,
  };
}
