// The proxy image, pulled once when the engine does not have it. A failed pull is a TrafficError
// that names the image and the engine's reason; the agent reports it and retries later.
import type Docker from 'dockerode';
import { TrafficError } from '../../lib/errors.js';

const PULL_TIMEOUT_MS = 5 * 60_000;

async function present(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw new TrafficError(
      'TM_RUNTIME',
      `docker: inspecting image ${image}: ${(err as Error).message}`,
    );
  }
}

function pull(docker: Docker, image: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), PULL_TIMEOUT_MS);
    const done = (err: unknown): void => {
      clearTimeout(timer);
      if (err) reject(err instanceof Error ? err : new Error(JSON.stringify(err)));
      else resolve();
    };
    docker.pull(image, {}, (err: unknown, stream?: NodeJS.ReadableStream) => {
      if (err || !stream) return done(err ?? new Error('no pull stream'));
      docker.modem.followProgress(stream, (e: unknown, events: Array<{ error?: string }>) => {
        const failed = events?.find((ev) => ev.error);
        done(e ?? (failed ? new Error(failed.error) : undefined));
      });
    });
  });
}

export async function ensureImage(docker: Docker, image: string): Promise<void> {
  if (await present(docker, image)) return;
  try {
    await pull(docker, image);
  } catch (err) {
    const msg = (err as Error).message ?? String(err);
    throw new TrafficError('TM_RUNTIME', `pulling image ${image} failed: ${msg}`, { cause: err });
  }
}
