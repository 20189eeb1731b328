// Lifecycle of a shared engine, exercised on a throwaway state directory (not the run's shared
// engine): concurrent starts from two processes, recovery after dockerd is killed, final stop.
import { execa } from 'execa';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import t from 'tap';
import { sharedDockerdStatus, startDockerd, stopSharedDockerd } from './dockerd.js';
import { stopOrphanedEngines } from './leftovers.js';
import { netnsExists } from './netns.js';
import { isAlive, waitForExit } from './proc.js';
import { waitFor } from './wait.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const cli = join(here, 'dockerd-cli.ts');
const dir = await mkdtemp(join(tmpdir(), 'tm-lc-'));
t.teardown(async () => {
  await stopSharedDockerd(dir);
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  if (!mounts.includes(`${dir}/`)) await rm(dir, { recursive: true, force: true });
});

interface CliStart {
  pid: number;
  containerdPid: number;
  netns: string;
  reused: boolean;
  startupMs: number;
}

async function cliStart(): Promise<CliStart> {
  const r = await execa(process.execPath, ['--import', 'tsx', cli, 'start', '--dir', dir]);
  return JSON.parse(r.stdout) as CliStart;
}

t.test('two processes starting at once get one engine', async (tt) => {
  const [a, b] = await Promise.all([cliStart(), cliStart()]);
  tt.equal(a.pid, b.pid, 'same dockerd');
  tt.same([a.reused, b.reused].sort(), [false, true], 'one started it, the other reused it');
  tt.comment(`engine startup: ${Math.max(a.startupMs, b.startupMs)} ms`);
  const status = await sharedDockerdStatus(dir);
  tt.equal(status.running, true);
  tt.equal(status.state?.dockerdPid, a.pid);
});

t.test('a killed dockerd is replaced by the next start', async (tt) => {
  const before = await startDockerd({ dir });
  const { pid: oldPid, containerdPid: oldContainerd } = before;
  process.kill(oldPid, 'SIGKILL');
  tt.equal(await waitForExit(oldPid, 10_000), true, 'dockerd died');
  tt.equal((await sharedDockerdStatus(dir)).running, false, 'status notices');
  const after = await startDockerd({ dir });
  tt.not(after.pid, oldPid, 'new dockerd');
  tt.equal(after.reused, false);
  tt.equal(await isAlive(oldContainerd), false, 'the orphaned containerd was stopped');
  tt.equal((await after.docker.ping()).toString(), 'OK');
});

t.test('stopSharedDockerd stops everything but keeps the data root', async (tt) => {
  const e = await startDockerd({ dir });
  tt.equal(await stopSharedDockerd(dir), true);
  tt.equal(await isAlive(e.pid), false, 'dockerd gone');
  await access(e.dataRoot);
  tt.pass('data root kept (images survive into the next run)');
  tt.equal(await isAlive(e.containerdPid), false, 'containerd gone');
  tt.equal(await netnsExists(e.netns), false, 'netns gone');
  tt.equal((await sharedDockerdStatus(dir)).running, false);
  tt.equal(await stopSharedDockerd(dir), false, 'second stop: nothing to do');
  const cliStatus = await execa(
    process.execPath,
    ['--import', 'tsx', cli, 'status', '--dir', dir],
    {
      reject: false,
    },
  );
  tt.equal(cliStatus.exitCode, 1, 'cli status exits 1 when stopped');
});

interface Owned {
  dir: string;
  pid: number;
  containerdPid: number;
  netns: string;
}

/** A separate process that starts a dedicated engine, prints it, then exits or waits. */
async function ownerProcess(mode: 'exit' | 'hold'): Promise<{ sub: ReturnType<typeof execa> }> {
  const script = join(dir, 'owner.mts');
  const dockerdModule = pathToFileURL(join(here, 'dockerd.js')).href;
  const source = [
    `import { startDockerd } from ${JSON.stringify(dockerdModule)};`,
    'const e = await startDockerd({ shared: false });',
    'const { dir, pid, containerdPid, netns } = e;',
    'console.log(JSON.stringify({ dir, pid, containerdPid, netns }));',
    "if (process.argv[2] === 'hold') setInterval(() => undefined, 1000);",
    '',
  ].join('\n');
  await writeFile(script, source);
  const sub = execa(process.execPath, ['--import', 'tsx', script, mode], {
    cwd: repoRoot,
    reject: false,
    buffer: { stdout: false },
  });
  return { sub };
}

async function firstLine(sub: ReturnType<typeof execa>): Promise<Owned> {
  return new Promise((resolve, reject) => {
    let buf = '';
    sub.stdout?.on('data', (c: Buffer) => {
      buf += c.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)) as Owned);
    });
    sub.then(
      (r) => reject(new Error(`owner exited early: ${String(r.stderr)}`)),
      (e: unknown) => reject(e instanceof Error ? e : new Error(String(e))),
    );
  });
}

async function gone(o: Owned): Promise<boolean> {
  const dirGone = await access(o.dir).then(
    () => false,
    () => true,
  );
  return dirGone && !(await isAlive(o.pid)) && !(await netnsExists(o.netns));
}

t.test('a dedicated engine is stopped when its owner exits without stopping it', async (tt) => {
  const { sub: owner } = await ownerProcess('exit');
  const o = await firstLine(owner);
  await owner;
  tt.ok(o.dir.startsWith(tmpdir()), 'dedicated engines live in the temp dir');
  await waitFor(async () => ((await gone(o)) ? true : undefined), {
    what: 'exit hook to stop the engine',
    timeoutMs: 60_000,
    intervalMs: 200,
  });
  tt.pass('engine, netns and directory are gone');
});

t.test('stopOrphanedEngines cleans up after an owner that was killed', async (tt) => {
  const { sub: owner } = await ownerProcess('hold');
  const o = await firstLine(owner);
  owner.kill('SIGKILL');
  await owner;
  tt.equal(await isAlive(o.pid), true, 'killed owner left its engine running');
  tt.ok((await stopOrphanedEngines()).includes(o.dir), 'reported as stopped');
  tt.equal(await gone(o), true, 'engine, netns and directory are gone');
});
