// The EndpointSlice controller: one slice per (address family, resolved port set) for each Service
// with a selector; a placeholder slice when nothing backs it. Slices carry the service-name and
// managed-by labels and a controller ownerReference to the Service; writes happen only on change.
import { asString, canonicalJson, clone, deepEqual, getIn, type JsonObject } from '../json.js';
import {
  controllerRef,
  labelsOf,
  metadataOf,
  nameOf,
  namespaceOf,
  type KubeObject,
} from '../kube.js';
import type { ObjectApi } from '../objects.js';
import type { Controller } from './runner.js';
import { R, nameSorted, tolerant } from './util.js';
import {
  backingPods,
  conditionsOf,
  familiesFor,
  familyOf,
  podIPs,
  resolvePorts,
  serviceSelector,
  targetRef,
} from './endpoint-model.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';

interface DesiredSlice {
  addressType: string;
  ports: JsonObject[];
  endpoints: JsonObject[];
}

function endpointFor(svc: KubeObject, pod: KubeObject, ip: string): JsonObject {
  const ep: JsonObject = {
    addresses: [ip],
    conditions: { ...conditionsOf(svc, pod) },
    targetRef: targetRef(pod),
  };
  const node = asString(getIn(pod, ['spec', 'nodeName']));
  if (node) ep.nodeName = node;
  return ep;
}

export function desiredSlices(svc: KubeObject, pods: KubeObject[]): DesiredSlice[] {
  const groups = new Map<string, DesiredSlice>();
  const backing = nameSorted(backingPods(svc, pods));
  for (const pod of backing) {
    const ports = resolvePorts(svc, pod) as unknown as JsonObject[];
    for (const ip of podIPs(pod)) {
      const key = `${familyOf(ip)}|${canonicalJson(ports)}`;
      const group = groups.get(key) ?? { addressType: familyOf(ip), ports, endpoints: [] };
      group.endpoints.push(endpointFor(svc, pod, ip));
      groups.set(key, group);
    }
  }
  const slices = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, g]) => g);
  for (const family of familiesFor(svc, backing.flatMap(podIPs))) {
    if (!slices.some((s) => s.addressType === family))
      slices.push({ addressType: family, ports: [], endpoints: [] });
  }
  return slices;
}

export class EndpointSliceController implements Controller {
  readonly name = 'endpointslice-controller';

  constructor(private readonly api: ObjectApi) {}

  reconcile(): void {
    const services = this.api.store.list(R.services);
    const pods = this.api.store.list(R.pods);
    const slices = this.api.store
      .list(R.endpointslices)
      .filter((s) => labelsOf(s)[MANAGED_BY_LABEL] === MANAGED_BY);
    for (const svc of services) {
      const mine = slices.filter(
        (s) =>
          namespaceOf(s) === namespaceOf(svc) && labelsOf(s)[SERVICE_NAME_LABEL] === nameOf(svc),
      );
      const desired = serviceSelector(svc) ? desiredSlices(svc, pods) : [];
      this.sync(svc, desired, mine);
    }
    for (const slice of slices) {
      const owner = services.find(
        (s) =>
          namespaceOf(s) === namespaceOf(slice) &&
          nameOf(s) === labelsOf(slice)[SERVICE_NAME_LABEL],
      );
      if (!owner)
        tolerant(() => this.api.remove(R.endpointslices, namespaceOf(slice), nameOf(slice)));
    }
  }

  private sync(svc: KubeObject, desired: DesiredSlice[], existing: KubeObject[]): void {
    const unused = [...existing];
    const take = (pred: (s: KubeObject) => boolean): KubeObject | undefined => {
      const idx = unused.findIndex(pred);
      return idx === -1 ? undefined : unused.splice(idx, 1)[0];
    };
    const pairs = desired.map((d) => ({
      d,
      current: take((s) => s.addressType === d.addressType && deepEqual(s.ports ?? [], d.ports)),
    }));
    for (const pair of pairs) {
      const current = pair.current ?? take((s) => s.addressType === pair.d.addressType);
      tolerant(() => this.write(svc, pair.d, current));
    }
    for (const stale of unused)
      tolerant(() => this.api.remove(R.endpointslices, namespaceOf(stale), nameOf(stale)));
  }

  private write(svc: KubeObject, d: DesiredSlice, current: KubeObject | undefined): void {
    const labels = {
      ...labelsOf(svc),
      [SERVICE_NAME_LABEL]: nameOf(svc),
      [MANAGED_BY_LABEL]: MANAGED_BY,
    };
    const next: KubeObject = current
      ? clone(current)
      : { metadata: { generateName: `${nameOf(svc)}-`, namespace: namespaceOf(svc) } };
    const meta = metadataOf(next);
    meta.labels = labels;
    meta.ownerReferences = [controllerRef(svc)];
    next.addressType = d.addressType;
    next.endpoints = d.endpoints;
    next.ports = d.ports;
    if (!current) {
      this.api.create(R.endpointslices, namespaceOf(svc), {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        ...next,
      });
      return;
    }
    delete meta.resourceVersion;
    this.api.update(R.endpointslices, current, next);
  }
}
