// A private containerd with CRI for end-to-end tests: Debian's containerd and runc, its own root,
// state, socket and config in a temporary directory, inside its own network namespace
// (`tm-ctrd-<id>`, where our CNI plugin's bridge and the pods' veths live), the test images
// imported into k8s.io. One per test file; stop() in teardown removes everything, an exit hook
// hands a forgotten one to `containerd-cli.ts stop --dir`, and orphans of killed owners are
// removed when the next one starts. Never touches a containerd it did not start.
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectContainerd, type ContainerdApi } from '../../agent/runtime/containerd/api.js';
import { installCni } from './cni-plugin.js';
import { shutdownCtrd, type CtrdState } from './containerd-cleanup.js';
import {
  ctrdArgs,
  ctrdConfigText,
  ctrdLayout,
  isCtrdOf,
  type CtrdLayout,
} from './containerd-layout.js';
import { connectHarnessCri, type HarnessCri } from './cri-client.js';
import { DAEMON_ENV, canConnect, spawnInNetns, waitReady } from './engine-process.js';
import { createNetns, deleteNetns } from './netns.js';
import { importOciImage, testImages } from './oci-image.js';
import { isAlive, isOurProcess } from './proc.js';

export const PROXY_NAMESPACE = 'traffic-manager';
const here = dirname(fileURLToPath(import.meta.url));
const cliPath = join(here, 'containerd-cli.ts');
const repoRoot = resolve(here, '..', '..');

export interface ContainerdHandle {
  readonly privateContainerd: true;
  readonly layout: CtrdLayout;
  readonly pid: number;
  readonly version: string;
  readonly api: ContainerdApi;
  readonly cri: HarnessCri;
  readonly startupMs: number;
  /** SIGTERM containerd and start it again on the same state (tasks keep running in shims). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function writeState(l: CtrdLayout, st: CtrdState): Promise<void> {
  const tmp = `${l.statePath}.tmp`;
  await writeFile(tmp, `${JSON.stringify(st)}\n`, { mode: 0o600 });
  await rename(tmp, l.statePath);
}

export async function readCtrdState(path: string): Promise<CtrdState | undefined> {
  try {
    const v = JSON.parse(await readFile(path, 'utf8')) as Partial<CtrdState>;
    const ok = v.version === 1 && typeof v.pid === 'number' && typeof v.dir === 'string';
    return ok && typeof v.id === 'string' && Array.isArray(v.namespaces)
      ? (v as CtrdState)
      : undefined;
  } catch {
    return undefined;
  }
}

async function startProcess(l: CtrdLayout): Promise<number> {
  const pid = spawnInNetns(l.netns, ['containerd', ...ctrdArgs(l)], l.log);
  const cri = connectHarnessCri(l.socket);
  const ready = async (): Promise<boolean> =>
    (await canConnect(l.socket)) &&
    (await cri.runtime.unary('Version', { version: 'v1' }, { timeoutMs: 2000 }).then(
      () => true,
      () => false,
    ));
  try {
    await waitReady(pid, ready, 'containerd CRI to answer', l.log);
  } finally {
    cri.close();
  }
  return pid;
}

class Containerd implements ContainerdHandle {
  readonly privateContainerd = true;
  readonly api: ContainerdApi;
  readonly cri: HarnessCri;
  version = '';
  private stopped = false;

  constructor(
    readonly layout: CtrdLayout,
    private state: CtrdState,
    readonly startupMs: number,
  ) {
    this.api = connectContainerd(layout.socket);
    this.cri = connectHarnessCri(layout.socket);
  }

  get pid(): number {
    return this.state.pid;
  }

  async restart(): Promise<void> {
    const { terminate } = await import('./proc.js');
    if (!(await terminate(this.state.pid, { matches: isCtrdOf(this.layout), graceMs: 20_000 }))) {
      throw new Error(`containerd ${this.state.pid} was not running`);
    }
    this.state = { ...this.state, pid: await startProcess(this.layout) };
    await writeState(this.layout, this.state);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    live.delete(this);
    this.api.close();
    this.cri.close();
    await shutdownCtrd(this.layout, this.state);
  }
}

const live = new Set<Containerd>();
let exitHook = false;

function stopOnExit(): void {
  for (const c of live) {
    const sub = execa(
      process.execPath,
      ['--import', 'tsx', cliPath, 'stop', '--dir', c.layout.dir],
      {
        cwd: repoRoot,
        detached: true,
        cleanup: false,
        stdio: 'ignore',
        reject: false,
      },
    );
    sub.unref();
  }
}

/** Stops private containerds whose owning test process is gone; returns their directories. */
export async function stopOrphanedContainerds(): Promise<string[]> {
  const names = (await readdir(tmpdir()).catch(() => [] as string[])).filter((n) =>
    n.startsWith('tm-ctrd-'),
  );
  const out: string[] = [];
  for (const name of names) {
    const dir = join(tmpdir(), name);
    const st = await readCtrdState(join(dir, 'ctrd-state.json'));
    if (!st || st.dir !== dir || (st.ownerPid > 1 && (await isAlive(st.ownerPid)))) continue;
    await shutdownCtrd(ctrdLayout(dir, st.id), st);
    out.push(dir);
  }
  return out;
}

async function importImages(api: ContainerdApi, cri: HarnessCri): Promise<void> {
  for (const spec of await testImages()) {
    await importOciImage(api, 'k8s.io', spec);
    // CRI learns of images through events; wait until it resolves each one.
    const { waitFor } = await import('./wait.js');
    await waitFor(
      async () => {
        const r = await cri.image.unary<{ image: { id: string } | null }>('ImageStatus', {
          image: { image: spec.name },
        });
        return r.image?.id ? true : undefined;
      },
      { what: `CRI to see ${spec.name}`, timeoutMs: 10_000, intervalMs: 50 },
    );
  }
}

/** Starts a fresh private containerd with CRI (fails, never skips, when it cannot). */
export async function startContainerd(): Promise<ContainerdHandle> {
  await stopOrphanedContainerds();
  const dir = await mkdtemp(join(tmpdir(), 'tm-ctrd-'));
  const l = ctrdLayout(dir, randomBytes(5).toString('hex'));
  const t0 = performance.now();
  await writeFile(l.config, ctrdConfigText(l), { mode: 0o600 });
  await installCni(l.cniDir, l.subnet);
  await mkdir(l.podLogs, { recursive: true });
  await deleteNetns(l.netns);
  await createNetns(l.netns);
  let state: CtrdState = {
    version: 1,
    dir,
    id: l.id,
    pid: 0,
    ownerPid: process.pid,
    namespaces: [PROXY_NAMESPACE],
  };
  try {
    state = { ...state, pid: await startProcess(l) };
    await writeState(l, state);
  } catch (err) {
    await shutdownCtrd(l, state.pid > 0 ? state : undefined);
    throw err;
  }
  const c = new Containerd(l, state, Math.round(performance.now() - t0));
  if (!exitHook) process.once('exit', stopOnExit);
  exitHook = true;
  live.add(c);
  try {
    c.version = (await c.api.version.unary<{ version: string }>('Version', {})).version;
    await importImages(c.api, c.cri);
  } catch (err) {
    await c.stop();
    throw err;
  }
  if (!(await isOurProcess(c.pid, isCtrdOf(l))))
    throw new Error('containerd exited during start-up');
  return c;
}

export { DAEMON_ENV };
