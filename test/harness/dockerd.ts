// A private Docker engine for end-to-end tests. See README.md in this folder for the lifecycle.
//
// Isolation: dockerd and its own containerd run inside a network namespace the harness creates
// (`tm-e2e-<id>`), entered with `nsenter --net` (not `ip netns exec`, whose /sys remount hides
// the cgroup mounts dockerd needs). Their docker0 bridge, iptables rules and container addresses
// exist only in that netns, so nothing can collide with a host engine or change host rules. All
// sockets, data, exec root and pidfile live in the engine directory; see engine-layout.ts.
import Docker from 'dockerode';
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineLayout } from './engine-layout.js';
import { engineLayout, sharedEngineDir } from './engine-layout.js';
import { startDockerdProcess, stopDockerdProcess } from './engine-process.js';
import type { EngineState } from './engine-state.js';
import { readState, writeState } from './engine-state.js';
import { bootEngine, isHealthy, removeEngineDir, shutdownEngine } from './engine.js';
import { withLock } from './lock.js';
import { sweep } from './sweep.js';

export interface StartDockerdOptions {
  /**
   * true (default): the engine shared by all test files of a run, reused when already up, left
   * running for the next file; stop it with stopSharedDockerd(). false: a dedicated engine for
   * this caller only (required for restart()), removed by stop() or at process exit.
   */
  shared?: boolean;
  /** State directory of the shared engine; default sharedEngineDir(). */
  dir?: string;
}

export interface DockerdHandle {
  /** Marks handles of engines this harness started (see sweep()). */
  readonly privateEngine: true;
  readonly shared: boolean;
  readonly dir: string;
  readonly socketPath: string;
  readonly dataRoot: string;
  readonly netns: string;
  readonly docker: Docker;
  /** dockerd's pid (changes on restart). */
  readonly pid: number;
  readonly containerdPid: number;
  /** True when this call found the engine already running. */
  readonly reused: boolean;
  /** How long the engine took to start (netns creation to first /_ping answer), in ms. */
  readonly startupMs: number;
  /** Dedicated: stops and deletes the engine. Shared: no-op unless `force` (stops it for all). */
  stop(opts?: { force?: boolean }): Promise<void>;
  /** Stops dockerd and starts it again on the same data root. Dedicated engines only. */
  restart(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const cliPath = join(here, 'dockerd-cli.ts');
const repoRoot = resolve(here, '..', '..');

class DockerEngine implements DockerdHandle {
  readonly privateEngine = true;
  readonly docker: Docker;
  private stopped = false;

  constructor(
    private readonly layout: EngineLayout,
    private state: EngineState,
    readonly reused: boolean,
  ) {
    this.docker = new Docker({ socketPath: layout.socketPath });
  }

  get shared(): boolean {
    return this.state.shared;
  }
  get dir(): string {
    return this.layout.dir;
  }
  get socketPath(): string {
    return this.layout.socketPath;
  }
  get dataRoot(): string {
    return this.layout.dataRoot;
  }
  get netns(): string {
    return this.layout.netns;
  }
  get pid(): number {
    return this.state.dockerdPid;
  }
  get containerdPid(): number {
    return this.state.containerdPid;
  }
  get startupMs(): number {
    return this.state.startupMs;
  }

  healthy(): Promise<boolean> {
    return isHealthy(this.layout, this.state);
  }

  async stop(opts: { force?: boolean } = {}): Promise<void> {
    if (this.shared) {
      if (opts.force) await stopSharedDockerd(this.dir);
      return;
    }
    if (this.stopped) return;
    this.stopped = true;
    dedicated.delete(this);
    await shutdownEngine(this.layout, this.state);
    await removeEngineDir(this.layout);
  }

  async restart(): Promise<void> {
    if (this.shared) {
      throw new Error(
        'restart() would disturb other test files: use startDockerd({ shared: false })',
      );
    }
    if (!(await stopDockerdProcess(this.layout, this.state.dockerdPid))) {
      throw new Error(`dockerd ${this.state.dockerdPid} was not running`);
    }
    const dockerdPid = await startDockerdProcess(this.layout);
    this.state = { ...this.state, dockerdPid };
    await writeState(this.layout.statePath, this.state);
  }
}

const sharedHandles = new Map<string, DockerEngine>();
const dedicated = new Set<DockerEngine>();
let exitHookInstalled = false;

async function startShared(dir: string): Promise<DockerEngine> {
  const cached = sharedHandles.get(dir);
  if (cached && (await cached.healthy())) return cached;
  const l = engineLayout(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const engine = await withLock(l.lockPath, async () => {
    const found = await readState(l.statePath);
    if (found && (await isHealthy(l, found, 30_000))) return new DockerEngine(l, found, true);
    await shutdownEngine(l, found);
    const fresh = new DockerEngine(l, await bootEngine(l, { shared: true, ownerPid: 0 }), false);
    // Containers left in the data root by an earlier run that was not stopped cleanly.
    await sweep(fresh);
    return fresh;
  });
  sharedHandles.set(dir, engine);
  return engine;
}

/** On exit, hand dedicated engines that were not stopped to a detached `dockerd-cli stop`. */
function stopDedicatedOnExit(): void {
  for (const engine of dedicated) {
    const sub = execa(process.execPath, ['--import', 'tsx', cliPath, 'stop', '--dir', engine.dir], {
      cwd: repoRoot,
      detached: true,
      cleanup: false,
      stdio: 'ignore',
      reject: false,
    });
    sub.unref();
  }
}

async function startDedicated(): Promise<DockerEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'tm-e2e-'));
  const l = engineLayout(dir, randomBytes(5).toString('hex'));
  const state = await bootEngine(l, { shared: false, ownerPid: process.pid }).catch(
    async (err: unknown) => {
      await removeEngineDir(l);
      throw err;
    },
  );
  const engine = new DockerEngine(l, state, false);
  if (!exitHookInstalled) process.once('exit', stopDedicatedOnExit);
  exitHookInstalled = true;
  dedicated.add(engine);
  return engine;
}

/**
 * Starts (or reuses) a private Docker engine. Fails with the reason (and dockerd's log tail)
 * when the engine cannot start; it never silently falls back to another engine.
 */
export function startDockerd(opts: StartDockerdOptions = {}): Promise<DockerdHandle> {
  if (opts.shared === false) return startDedicated();
  return startShared(resolve(opts.dir ?? sharedEngineDir()));
}

export interface EngineStatus {
  dir: string;
  running: boolean;
  state?: EngineState;
}

/** What the state directory says, and whether that engine is alive and answering. */
export async function sharedDockerdStatus(dir = sharedEngineDir()): Promise<EngineStatus> {
  const l = engineLayout(resolve(dir));
  const state = await readState(l.statePath);
  const running = state !== undefined && (await isHealthy(l, state));
  return state ? { dir: l.dir, running, state } : { dir: l.dir, running };
}

/** Removes the harness's containers and stops the shared engine; false when none was running. */
export async function stopSharedDockerd(dir = sharedEngineDir()): Promise<boolean> {
  const l = engineLayout(resolve(dir));
  if (!existsSync(l.dir)) return false;
  return withLock(l.lockPath, async () => {
    const state = await readState(l.statePath);
    const running = state !== undefined && (await isHealthy(l, state, 10_000));
    // Best effort: the engine gets stopped even when removing containers fails.
    const target = {
      docker: new Docker({ socketPath: l.socketPath }),
      privateEngine: true as const,
    };
    if (running) await sweep(target).catch(() => 0);
    await shutdownEngine(l, state);
    sharedHandles.delete(l.dir);
    return running;
  });
}
