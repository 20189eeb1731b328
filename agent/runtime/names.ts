// Checks for every value that reaches the container runtime as a filter, a name or a label, and
// the proxy container's name. The runtime never sees a value we did not validate.
import { InvalidArgumentError } from '../../lib/errors.js';
import type { PodRef } from './types.js';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const UID = /^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/;
const CONTAINER_ID = /^[0-9a-f]{12,64}$/;
/** registry/path:tag or @sha256:digest; no whitespace or shell metacharacters. */
const IMAGE = /^[a-z0-9][a-z0-9._/:-]{0,254}(@sha256:[0-9a-f]{64})?$/;

function check(kind: string, re: RegExp, v: string): string {
  if (typeof v !== 'string' || !re.test(v)) {
    throw new InvalidArgumentError(`invalid ${kind}: ${JSON.stringify(v)}`);
  }
  return v;
}

export function validPodRef(p: PodRef): PodRef {
  return {
    name: check('pod name', DNS_SUBDOMAIN, p.name),
    namespace: check('namespace', DNS_LABEL, p.namespace),
    uid: check('pod uid', UID, p.uid),
  };
}

export function validContainerId(id: string): string {
  return check('container id', CONTAINER_ID, id);
}

export function validImage(ref: string): string {
  return check('image reference', IMAGE, ref);
}

/** `traffic-envoy_<pod>_<ns>_<uid prefix>`: readable in `docker ps`, unique per pod instance. */
export function proxyContainerName(p: PodRef): string {
  const v = validPodRef(p);
  return `traffic-envoy_${v.name}_${v.namespace}_${v.uid.slice(0, 8)}`;
}
