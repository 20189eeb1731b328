// OCI / Docker image JSON the agent reads: an index (pick this platform's manifest), a manifest
// (config + layers) and a config (entrypoint, env, diff ids → chain id). Every field is checked
// before it is used; a malformed image is a TrafficError, never an exception from deep inside.
import { createHash } from 'node:crypto';
import { TrafficError } from '../../../lib/errors.js';
import type { Descriptor } from './api.js';
import { validDigest } from './image-ref.js';

export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

export interface ImageConfig {
  env: string[];
  entrypoint: string[];
  cmd: string[];
  workingDir: string;
  diffIds: string[];
}

export interface Manifest {
  config: Descriptor;
  layers: Descriptor[];
}

function bad(what: string): TrafficError {
  return new TrafficError('TM_RUNTIME', `malformed image: ${what}`);
}

function parse(buf: Buffer, what: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(buf.toString('utf8'));
    if (typeof v === 'object' && v !== null && !Array.isArray(v))
      return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw bad(`${what} is not a JSON object`);
}

export function descriptorOf(v: unknown, what: string): Descriptor {
  const d = (v ?? {}) as Record<string, unknown>;
  const mediaType = typeof d.mediaType === 'string' ? d.mediaType : '';
  const size = typeof d.size === 'number' && Number.isSafeInteger(d.size) ? d.size : -1;
  if (typeof d.digest !== 'string' || size < 0) throw bad(`${what} descriptor`);
  return { media_type: mediaType, digest: validDigest(d.digest), size };
}

export function isIndex(mediaType: string): boolean {
  return mediaType === MEDIA.ociIndex || mediaType === MEDIA.dockerList;
}

/** Go's names for this machine's architecture. */
export function hostArch(): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', s390x: 's390x' };
  return map[process.arch] ?? process.arch;
}

/** The linux/<this arch> manifest of an index. */
export function pickPlatform(index: Buffer): Descriptor {
  const manifests = parse(index, 'index').manifests;
  if (!Array.isArray(manifests)) throw bad('index without manifests');
  for (const m of manifests) {
    const p = ((m as Record<string, unknown>).platform ?? {}) as Record<string, unknown>;
    if (p.os === 'linux' && p.architecture === hostArch()) return descriptorOf(m, 'manifest');
  }
  throw new TrafficError('TM_RUNTIME', `image has no linux/${hostArch()} manifest`);
}

export function parseManifest(buf: Buffer): Manifest {
  const m = parse(buf, 'manifest');
  if (!Array.isArray(m.layers)) throw bad('manifest without layers');
  return {
    config: descriptorOf(m.config, 'config'),
    layers: m.layers.map((l, i) => descriptorOf(l, `layer ${i}`)),
  };
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

export function parseConfig(buf: Buffer): ImageConfig {
  const c = parse(buf, 'config');
  const cfg = (c.config ?? {}) as Record<string, unknown>;
  const rootfs = (c.rootfs ?? {}) as Record<string, unknown>;
  const diffIds = strings(rootfs.diff_ids).map(validDigest);
  if (diffIds.length === 0) throw bad('config without rootfs.diff_ids');
  return {
    env: strings(cfg.Env),
    entrypoint: strings(cfg.Entrypoint),
    cmd: strings(cfg.Cmd),
    workingDir: typeof cfg.WorkingDir === 'string' && cfg.WorkingDir !== '' ? cfg.WorkingDir : '/',
    diffIds,
  };
}

/** The identity of each layer stack: chain[0] = diff[0], chain[i] = sha256(chain[i-1] + " " + diff[i]). */
export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) {
    const prev = out[out.length - 1];
    out.push(
      prev === undefined
        ? d
        : `sha256:${createHash('sha256').update(`${prev} ${d}`).digest('hex')}`,
    );
  }
  return out;
}
