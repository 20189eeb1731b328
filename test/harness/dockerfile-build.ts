// `docker build -f <Dockerfile> <root>` through the API, with the classic builder: the context is
// made here from the Dockerfile's own `<Dockerfile>.dockerignore` (BuildKit's convention, which
// the classic builder does not know), RUN steps get no network, and an image whose inputs hash
// matches (context, Dockerfile, build args, base image ids) is not built again.
import type Dockerode from 'dockerode';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { contextEntries, parseDockerignore } from './dockerignore.js';
import { IMAGE_HASH_LABEL, existingImage } from './images.js';
import { tarChunks, type TarEntry } from './tar.js';
import { assertImageRef } from './validate.js';

export interface DockerfileBuild {
  /** Build context (the repository root). */
  root: string;
  /** Absolute path of the Dockerfile, inside `root`. */
  dockerfile: string;
  /** repo:tag of the result. */
  tag: string;
  /** Build args whose values are local images (their ids go into the hash). */
  imageArgs: Record<string, string>;
}

export interface BuiltImage {
  id: string;
  /** False when an image with the same inputs was already there. */
  built: boolean;
  /** The builder's output, for a test to show. */
  log: string;
}

async function buildContext(b: DockerfileBuild): Promise<TarEntry[]> {
  const ignorePath = `${b.dockerfile}.dockerignore`;
  const alt = join(b.root, '.dockerignore');
  const path = existsSync(ignorePath) ? ignorePath : alt;
  const rules = existsSync(path) ? parseDockerignore(await readFile(path, 'utf8')) : [];
  const entries = await contextEntries(b.root, rules);
  // Like the docker CLI: the Dockerfile travels with the context even when the ignore file
  // excludes it.
  const rel = relative(b.root, b.dockerfile);
  if (!entries.some((e) => e.path === rel)) {
    entries.push({ type: 'file', path: rel, data: await readFile(b.dockerfile) });
  }
  return entries;
}

async function inputsHash(
  docker: Dockerode,
  b: DockerfileBuild,
  context: TarEntry[],
): Promise<string> {
  const h = createHash('sha256');
  h.update(`${relative(b.root, b.dockerfile)}\0${JSON.stringify(b.imageArgs)}\0`);
  for (const ref of Object.values(b.imageArgs))
    h.update(`${(await docker.getImage(ref).inspect()).Id}\0`);
  for (const chunk of tarChunks(context)) h.update(chunk);
  return h.digest('hex');
}

interface BuildEvent {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** Follows the build's JSON stream; rejects with the error and the last lines of output. */
async function follow(docker: Dockerode, stream: NodeJS.ReadableStream): Promise<string> {
  let log = '';
  const events = await new Promise<BuildEvent[]>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, out: BuildEvent[]) => (err ? reject(err) : resolve(out)),
      (e: BuildEvent) => {
        log += e.stream ?? '';
      },
    );
  });
  const failed = events.find((e) => e.error !== undefined);
  if (failed) {
    const tail = log.split('\n').slice(-40).join('\n');
    throw new Error(
      `${failed.errorDetail?.message ?? failed.error ?? ''}\n--- build output (end) ---\n${tail}`,
    );
  }
  return log;
}

export async function buildDockerfile(docker: Dockerode, b: DockerfileBuild): Promise<BuiltImage> {
  assertImageRef(b.tag);
  for (const ref of Object.values(b.imageArgs)) assertImageRef(ref);
  const context = await buildContext(b);
  const hash = await inputsHash(docker, b, context);
  const existing = await existingImage(docker, b.tag, hash);
  if (existing !== undefined) return { id: existing, built: false, log: '' };
  const stream = await docker.buildImage(Readable.from(tarChunks(context)), {
    t: b.tag,
    dockerfile: relative(b.root, b.dockerfile),
    buildargs: b.imageArgs,
    labels: { [IMAGE_HASH_LABEL]: hash },
    networkmode: 'none',
    rm: true,
    forcerm: true,
  });
  const log = await follow(docker, stream);
  const id = await existingImage(docker, b.tag, hash);
  if (id === undefined) throw new Error(`build of ${b.tag} did not produce the image:\n${log}`);
  return { id, built: true, log };
}

/** The image the builder made for the stage `FROM ... AS <stage>`, read from its log. */
export function stageImage(log: string, stage: string): string | undefined {
  const parts = log.split(/^Step \d+\/\d+ : FROM /m);
  const part = parts.find((p) => new RegExp(`^\\S+ AS ${stage}\\n`, 'i').test(p));
  const ids = [...(part ?? '').matchAll(/^ ---> ([0-9a-f]{12,64})$/gm)].map((m) => m[1] ?? '');
  return ids.at(-1);
}

/**
 * Removes dangling images (no tag, no child, no container) that carry the harness's hash label,
 * were made before `before` and are not in `keep`: earlier builds' stages and the images later
 * builds replaced. The stages in `keep` are the layer cache of the next build.
 */
export async function removeStaleBuilds(
  docker: Dockerode,
  keep: string[],
  before: Date,
): Promise<number> {
  const dangling = await docker.listImages({
    filters: { dangling: ['true'], label: [IMAGE_HASH_LABEL] },
  });
  const kept = (id: string): boolean => keep.some((k) => id.replace(/^sha256:/, '').startsWith(k));
  let removed = 0;
  for (const img of dangling) {
    if (kept(img.Id) || img.Created * 1000 >= before.getTime()) continue;
    try {
      await docker.getImage(img.Id).remove();
      removed++;
    } catch (err) {
      const code = (err as { statusCode?: number }).statusCode;
      if (code !== 404 && code !== 409) throw err; // gone already, or still used
    }
  }
  return removed;
}
