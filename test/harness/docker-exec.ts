// `docker exec` through the API: run argv in a container, collect exit code and output.
import type Dockerode from 'dockerode';
import { PassThrough } from 'node:stream';
import { assertContainerId } from './validate.js';
import { waitFor } from './wait.js';

export interface DockerExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString('utf8');
}

/** Runs `argv` in container `id` (no TTY) and waits, at most `timeoutMs`, for it to finish. */
export async function dockerExec(
  docker: Dockerode,
  id: string,
  argv: string[],
  timeoutMs = 30_000,
): Promise<DockerExecResult> {
  const exec = await docker.getContainer(assertContainerId(id)).exec({
    Cmd: argv,
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out = new PassThrough();
  const err = new PassThrough();
  const stdout = collect(out);
  const stderr = collect(err);
  docker.modem.demuxStream(stream, out, err);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      stream.destroy();
      reject(new Error(`docker exec ${argv.join(' ')} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    stream.on('end', () => {
      clearTimeout(timer);
      resolve();
    });
    stream.on('error', (e: Error) => {
      clearTimeout(timer);
      reject(e);
    });
  });
  // The stream can end a moment before the exec is recorded as finished.
  const exitCode = await waitFor(
    async () => {
      const info = await exec.inspect();
      return info.Running ? undefined : (info.ExitCode ?? -1);
    },
    { what: `exit code of docker exec ${argv[0] ?? ''}`, timeoutMs: 5000, intervalMs: 20 },
  );
  return { exitCode, stdout: stdout(), stderr: stderr() };
}
