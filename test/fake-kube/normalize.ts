// Shapes the apiserver gives every stored object: empty metadata maps and lists are omitted (Go's
// omitempty), and a pod's status.podIP and status.podIPs stay consistent like a kubelet writes them.
import { asObjects, asString, getIn, isObject, type JsonObject } from './json.js';
import { metadataOf, type KubeObject } from './kube.js';
import type { ResourceDef } from './registry.js';

const OMIT_EMPTY = ['labels', 'annotations', 'finalizers', 'ownerReferences'];

function isEmpty(value: unknown): boolean {
  return (
    (Array.isArray(value) && value.length === 0) ||
    (isObject(value) && Object.keys(value).length === 0)
  );
}

function syncPodIPs(obj: KubeObject, old: KubeObject | undefined): void {
  const status = obj.status;
  if (!isObject(status)) return;
  const podIP = asString(status.podIP);
  const ips = asObjects(status.podIPs);
  const oldIP = asString(getIn(old, ['status', 'podIP']));
  const oldFirst = asString(asObjects(getIn(old, ['status', 'podIPs']))[0]?.ip);
  const first = asString(ips[0]?.ip);
  if (podIP !== undefined && podIP !== '' && podIP !== oldIP && first === oldFirst) {
    status.podIPs = [
      { ip: podIP },
      ...ips.filter((x) => isFamilyOther(asString(x.ip), podIP)),
    ] as JsonObject[];
  } else if (first !== undefined && first !== oldFirst && podIP === oldIP) {
    status.podIP = first;
  } else if (podIP && ips.length === 0) {
    status.podIPs = [{ ip: podIP }];
  }
}

function isFamilyOther(ip: string | undefined, than: string): boolean {
  return ip !== undefined && ip.includes(':') !== than.includes(':');
}

export function normalize(res: ResourceDef, obj: KubeObject, old?: KubeObject): void {
  const meta = metadataOf(obj);
  for (const key of OMIT_EMPTY) if (meta[key] === null || isEmpty(meta[key])) delete meta[key];
  if (res.plural === 'pods') syncPodIPs(obj, old);
}
