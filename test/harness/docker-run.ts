// `docker run --rm --network none` through the API: one command in a fresh container, its exit
// code and output. The container carries the harness label and is removed whatever happens.
import type Dockerode from 'dockerode';
import { HARNESS_LABEL } from './labels.js';
import { assertImageRef, assertRunId } from './validate.js';

export interface RunOnce {
  image: string;
  /** Replaces the image's entrypoint when given. */
  entrypoint?: string[];
  cmd: string[];
  /** sweep(engine, runId) finds the container should removal fail. */
  runId: string;
  timeoutMs?: number;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Splits Docker's multiplexed log stream (8-byte frame headers: stream, 0, 0, 0, size). */
export function demuxLogs(buf: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  for (let i = 0; i + 8 <= buf.length;) {
    const size = buf.readUInt32BE(i + 4);
    const frame = buf.subarray(i + 8, i + 8 + size);
    (buf[i] === 2 ? err : out).push(frame);
    i += 8 + size;
  }
  return {
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  };
}

async function waitExit(c: Dockerode.Container, timeoutMs: number, what: string): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no exit within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    const r = (await Promise.race([c.wait(), timeout])) as { StatusCode: number };
    return r.StatusCode;
  } finally {
    clearTimeout(timer);
  }
}

export async function runOnce(docker: Dockerode, o: RunOnce): Promise<RunResult> {
  const what = [...(o.entrypoint ?? []), ...o.cmd].join(' ');
  const c = await docker.createContainer({
    Image: assertImageRef(o.image),
    ...(o.entrypoint ? { Entrypoint: o.entrypoint } : {}),
    Cmd: o.cmd,
    Labels: { [HARNESS_LABEL]: assertRunId(o.runId) },
    HostConfig: { NetworkMode: 'none' },
  });
  try {
    await c.start();
    const exitCode = await waitExit(c, o.timeoutMs ?? 60_000, what);
    const logs = await c.logs({ stdout: true, stderr: true, follow: false });
    return { exitCode, ...demuxLogs(logs) };
  } finally {
    await c.remove({ force: true }).catch(() => undefined);
  }
}
