// state.json of a private engine: which pids belong to it, in which netns it runs, who owns it.
import { readFile, rename, rm, writeFile } from 'node:fs/promises';

export interface EngineState {
  version: 1;
  dir: string;
  id: string;
  netns: string;
  dockerdPid: number;
  containerdPid: number;
  shared: boolean;
  /** Test process owning a dedicated engine (stale once it is dead); 0 for the shared engine. */
  ownerPid: number;
  startedAt: string;
  /** Milliseconds from "netns created" to "dockerd answers /_ping". */
  startupMs: number;
}

function isPid(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 1;
}

function isEngineState(v: unknown): v is EngineState {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  return (
    s.version === 1 &&
    typeof s.dir === 'string' &&
    typeof s.id === 'string' &&
    typeof s.netns === 'string' &&
    isPid(s.dockerdPid) &&
    isPid(s.containerdPid) &&
    typeof s.shared === 'boolean' &&
    typeof s.ownerPid === 'number' &&
    typeof s.startedAt === 'string' &&
    typeof s.startupMs === 'number'
  );
}

export async function readState(path: string): Promise<EngineState | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    return isEngineState(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Atomic write: readers never see half a file. */
export async function writeState(path: string, state: EngineState): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, path);
}

export async function removeState(path: string): Promise<void> {
  await rm(path, { force: true });
}
