// Image references as containerd names them (the Docker normalisation CRI applies too):
// `envoyproxy/envoy:v1.32.3` → `docker.io/envoyproxy/envoy:v1.32.3`, `busybox` →
// `docker.io/library/busybox:latest`; a registry host (with a dot or a port, or localhost) stays.
import { InvalidArgumentError } from '../../../lib/errors.js';
import { validImage } from '../names.js';

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function validDigest(d: string): string {
  if (typeof d !== 'string' || !DIGEST.test(d)) {
    throw new InvalidArgumentError(`invalid digest: ${JSON.stringify(d)}`);
  }
  return d;
}

function isRegistryHost(first: string): boolean {
  return first.includes('.') || first.includes(':') || first === 'localhost';
}

/** The fully qualified name containerd stores an image under. */
export function normalizeImageRef(ref: string): string {
  const v = validImage(ref);
  const at = v.indexOf('@');
  const nameAndTag = at >= 0 ? v.slice(0, at) : v;
  const digest = at >= 0 ? v.slice(at) : '';
  const parts = nameAndTag.split('/');
  const first = parts[0] ?? '';
  let repo = nameAndTag;
  if (parts.length === 1) repo = `docker.io/library/${nameAndTag}`;
  else if (!isRegistryHost(first)) repo = `docker.io/${nameAndTag}`;
  const lastSlash = repo.lastIndexOf('/');
  const hasTag = repo.slice(lastSlash + 1).includes(':');
  if (!hasTag && digest === '') repo = `${repo}:latest`;
  if (repo.split('/').some((p) => p === '' || p === '.' || p === '..')) {
    throw new InvalidArgumentError(`invalid image reference: ${JSON.stringify(ref)}`);
  }
  return `${repo}${digest}`;
}
