// Strict checks for every value that ends up in a command line or a Docker object name. The
// harness never uses a shell, but argument arrays still deserve values we fully understand.

const NETNS_NAME = /^tm-[a-z0-9][a-z0-9-]{0,40}$/;
const CONTAINER_ID = /^[0-9a-f]{12,64}$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const UID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const IMAGE_REF = /^[a-z0-9][a-z0-9._/-]{0,127}:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/;

function check(kind: string, re: RegExp, value: string): string {
  if (typeof value !== 'string' || !re.test(value)) {
    throw new Error(`invalid ${kind}: ${JSON.stringify(value)}`);
  }
  return value;
}

/** A process id we are willing to signal or nsenter into: a positive integer, never 1. */
export function assertPid(pid: number): number {
  if (!Number.isSafeInteger(pid) || pid <= 1) throw new Error(`invalid pid: ${String(pid)}`);
  return pid;
}

export function assertPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`invalid port: ${String(port)}`);
  }
  return port;
}

/** Network namespace names the harness may create or delete: always prefixed `tm-`. */
export function assertNetnsName(name: string): string {
  return check('netns name', NETNS_NAME, name);
}

export function assertContainerId(id: string): string {
  return check('container id', CONTAINER_ID, id);
}

/** Kubernetes pod and container names (DNS-1123 label). */
export function assertKubeName(name: string): string {
  return check('kubernetes name', DNS_LABEL, name);
}

/** Kubernetes namespace (DNS-1123 label). */
export function assertNamespace(ns: string): string {
  return check('namespace', DNS_LABEL, ns);
}

export function assertNodeName(name: string): string {
  return check('node name', DNS_SUBDOMAIN, name);
}

export function assertUid(uid: string): string {
  return check('pod uid', UID, uid);
}

export function assertImageRef(ref: string): string {
  return check('image reference (repo:tag)', IMAGE_REF, ref);
}

export function assertIpv4(ip: string): string {
  return check('IPv4 address', IPV4, ip);
}

/** A host to connect to: an IPv4 address or a plain host name such as `localhost`. */
export function assertHost(host: string): string {
  return check('host', HOST_NAME, host);
}

/** Run ids label everything one test file creates; `sweep` removes by run id. */
export function assertRunId(id: string): string {
  return check('run id', /^[a-z0-9][a-z0-9-]{0,62}$/, id);
}
