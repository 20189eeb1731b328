// The scale benchmark's child processes: each one serves named commands over IPC (structured
// clone serialisation, so hrtime bigints pass as they are); the parent calls them with a timeout
// and stops every child by its pid, also when the run fails.
import { execaNode, type ResultPromise } from 'execa';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

export type Handler = (args: Record<string, unknown>) => unknown;

interface Request {
  id: number;
  cmd: string;
  args: Record<string, unknown>;
}

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

/** Child side: answers each request with its handler's (awaited) value or error. */
export function serve(handlers: Record<string, Handler>): void {
  process.on('message', (m: Request) => {
    const send = (r: Reply): void => {
      process.send?.(r);
    };
    Promise.resolve()
      .then(() => {
        const h = handlers[m.cmd];
        if (!h) throw new Error(`unknown command ${m.cmd}`);
        return h(m.args);
      })
      .then(
        (value) => send({ id: m.id, ok: true, value }),
        (err: unknown) =>
          send({ id: m.id, ok: false, error: err instanceof Error ? err.stack : String(err) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
}

type Launch = {
  env: Record<string, string>;
  nodeOptions: string[];
  ipc: true;
  serialization: 'advanced';
  reject: false;
  stdout: 'inherit';
  stderr: 'inherit';
};

const inspector = new Session();

/**
 * Child side: starts the CPU profiler, or (with `file`) stops it and writes the profile. With
 * `TM_BENCH_SCALE_ALLOC=1` it samples allocations instead (a .heapprofile for DevTools).
 */
export async function profile(file: string | undefined): Promise<void> {
  const alloc = process.env.TM_BENCH_SCALE_ALLOC === '1';
  if (!file) {
    inspector.connect();
    if (alloc)
      await inspector.post('HeapProfiler.startSampling', {
        samplingInterval: 32768,
        // Garbage too: what a push allocates and drops is what the collector pays for.
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      } as never);
    else {
      await inspector.post('Profiler.enable');
      await inspector.post('Profiler.start');
    }
    return;
  }
  const { profile: p } = alloc
    ? await inspector.post('HeapProfiler.stopSampling')
    : await inspector.post('Profiler.stop');
  writeFileSync(alloc ? file.replace(/\.cpuprofile$/, '.heapprofile') : file, JSON.stringify(p));
  inspector.disconnect();
}

export class Child {
  private readonly proc: ResultPromise<Launch>;
  private readonly waiting = new Map<number, (r: Reply) => void>();
  private next = 0;
  readonly pid: number;

  constructor(
    readonly name: string,
    script: string,
    args: string[] = [],
    nodeOptions: string[] = [],
    tsx = true,
    env: Record<string, string> = {},
  ) {
    const options: Launch = {
      env,
      nodeOptions: [...(tsx ? ['--import', 'tsx'] : []), ...nodeOptions],
      ipc: true,
      serialization: 'advanced',
      reject: false,
      stdout: 'inherit',
      stderr: 'inherit',
    };
    this.proc = execaNode(script, args, options);
    this.pid = this.proc.pid ?? 0;
    this.proc.on('message', (r: Reply) => this.waiting.get(r.id)?.(r));
  }

  /** Runs `cmd` in the child; rejects on its error or after `timeoutMs`. */
  async call<T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 180_000): Promise<T> {
    const id = ++this.next;
    const reply = new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.name}: ${cmd} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, (r) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(r);
      });
    });
    await this.proc.sendMessage({ id, cmd, args } satisfies Request);
    const r = await reply;
    if (!r.ok) throw new Error(`${this.name}: ${cmd} failed: ${r.error ?? '?'}`);
    return r.value as T;
  }

  /** Asks the child to stop, then kills it by pid if it has not exited within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.proc.exitCode !== null) return;
    await this.call('stop', {}, graceMs).catch(() => undefined);
    const exited = this.proc.then(() => true);
    const timer = new Promise<false>((r) => setTimeout(() => r(false), graceMs));
    if (await Promise.race([exited, timer])) return;
    try {
      process.kill(this.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await this.proc;
  }
}
