// Dedicated engines (startDockerd({ shared: false })) live in <tmpdir>/tm-e2e-*. Normally their
// owner stops them; these helpers clean up after an owner that died first.
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { engineLayout } from './engine-layout.js';
import { readState } from './engine-state.js';
import { removeEngineDir, shutdownEngine } from './engine.js';
import { isAlive } from './proc.js';

/** Stops and deletes the dedicated engine in `dir`; false when `dir` holds no dedicated engine. */
export async function stopDedicatedEngine(dir: string): Promise<boolean> {
  const abs = resolve(dir);
  const state = await readState(join(abs, 'state.json'));
  if (!state || state.shared || state.dir !== abs) return false;
  const l = engineLayout(abs, state.id);
  await shutdownEngine(l, state);
  await removeEngineDir(l);
  return true;
}

/** Stops dedicated engines whose owning test process is gone; returns their directories. */
export async function stopOrphanedEngines(): Promise<string[]> {
  const root = tmpdir();
  const names = (await readdir(root).catch(() => [] as string[])).filter((n) =>
    n.startsWith('tm-e2e-'),
  );
  const stopped: string[] = [];
  for (const name of names) {
    const dir = join(root, name);
    const state = await readState(join(dir, 'state.json'));
    if (!state || state.shared || (state.ownerPid > 1 && (await isAlive(state.ownerPid)))) continue;
    if (await stopDedicatedEngine(dir)) stopped.push(dir);
  }
  return stopped;
}
