// Removes leftovers from a private engine: containers carrying the harness label (optionally only
// those of one run id). Takes an engine handle, never a bare client, so it cannot be pointed at
// an engine the harness did not start.
import type Dockerode from 'dockerode';
import { HARNESS_LABEL } from './labels.js';
import { assertRunId } from './validate.js';

export interface SweepTarget {
  docker: Dockerode;
  /** Set on handles returned by startDockerd(). */
  readonly privateEngine: true;
}

/** Force-removes matching containers; returns how many were removed. */
export async function sweep(engine: SweepTarget, runId?: string): Promise<number> {
  const label = runId === undefined ? HARNESS_LABEL : `${HARNESS_LABEL}=${assertRunId(runId)}`;
  const found = await engine.docker.listContainers({ all: true, filters: { label: [label] } });
  // Containers that join another's network namespace go first, sandboxes last.
  const ordered = [...found].sort(
    (a, b) =>
      Number(b.HostConfig.NetworkMode.startsWith('container:')) -
      Number(a.HostConfig.NetworkMode.startsWith('container:')),
  );
  let removed = 0;
  for (const c of ordered) {
    try {
      await engine.docker.getContainer(c.Id).remove({ force: true, v: true });
      removed++;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    }
  }
  return removed;
}
