// The (legacy) Endpoints controller: core/v1 Endpoints named after each Service with a selector,
// ready addresses and notReadyAddresses per resolved port set, terminating pods left out.
import { asArray, asString, canonicalJson, clone, getIn, type JsonObject } from '../json.js';
import { labelsOf, metadataOf, nameOf, namespaceOf, type KubeObject } from '../kube.js';
import type { ObjectApi } from '../objects.js';
import type { StoreEvent } from '../store.js';
import type { Controller } from './runner.js';
import {
  backingPods,
  conditionsOf,
  familyOf,
  podIPs,
  resolvePorts,
  serviceSelector,
  targetRef,
} from './endpoint-model.js';
import { R, nameSorted, tolerant } from './util.js';

interface Subset {
  addresses: JsonObject[];
  notReadyAddresses: JsonObject[];
  ports: JsonObject[];
}

function address(pod: KubeObject, ip: string): JsonObject {
  const a: JsonObject = { ip };
  const node = asString(getIn(pod, ['spec', 'nodeName']));
  if (node) a.nodeName = node;
  a.targetRef = targetRef(pod);
  return a;
}

export function desiredSubsets(svc: KubeObject, pods: KubeObject[]): JsonObject[] {
  const family = asString(asArray(getIn(svc, ['spec', 'ipFamilies']))[0]) ?? 'IPv4';
  const groups = new Map<string, Subset>();
  for (const pod of nameSorted(backingPods(svc, pods))) {
    const cond = conditionsOf(svc, pod);
    if (cond.terminating) continue;
    const ports = resolvePorts(svc, pod).map((p) => ({
      name: p.name === '' ? undefined : p.name,
      port: p.port,
      protocol: p.protocol,
    }));
    const key = canonicalJson(ports);
    const group = groups.get(key) ?? {
      addresses: [],
      notReadyAddresses: [],
      ports,
    };
    for (const ip of podIPs(pod).filter((x) => familyOf(x) === family)) {
      (cond.ready ? group.addresses : group.notReadyAddresses).push(address(pod, ip));
    }
    groups.set(key, group);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, g]) => {
      const subset: JsonObject = {};
      if (g.addresses.length > 0) subset.addresses = g.addresses;
      if (g.notReadyAddresses.length > 0) subset.notReadyAddresses = g.notReadyAddresses;
      subset.ports = g.ports;
      return subset;
    })
    .filter((s) => s.addresses !== undefined || s.notReadyAddresses !== undefined);
}

export class EndpointsController implements Controller {
  readonly name = 'endpoints-controller';
  private readonly deletedServices: { namespace: string; name: string }[] = [];

  constructor(private readonly api: ObjectApi) {}

  observe(event: StoreEvent): void {
    if (event.type === 'DELETED' && event.res.key === R.services.key) {
      this.deletedServices.push({
        namespace: namespaceOf(event.object),
        name: nameOf(event.object),
      });
    }
  }

  reconcile(): void {
    for (const gone of this.deletedServices.splice(0)) {
      if (!this.api.store.get(R.services, gone.namespace, gone.name)) {
        tolerant(
          () =>
            this.api.store.get(R.endpoints, gone.namespace, gone.name) &&
            this.api.remove(R.endpoints, gone.namespace, gone.name),
        );
      }
    }
    const pods = this.api.store.list(R.pods);
    for (const svc of this.api.store.list(R.services)) {
      if (serviceSelector(svc)) tolerant(() => this.sync(svc, desiredSubsets(svc, pods)));
    }
  }

  private sync(svc: KubeObject, subsets: JsonObject[]): void {
    const current = this.api.store.get(R.endpoints, namespaceOf(svc), nameOf(svc));
    const next: KubeObject = current
      ? clone(current)
      : {
          apiVersion: 'v1',
          kind: 'Endpoints',
          metadata: { name: nameOf(svc), namespace: namespaceOf(svc) },
        };
    const meta = metadataOf(next);
    const labels = labelsOf(svc);
    if (Object.keys(labels).length > 0) meta.labels = labels;
    else delete meta.labels;
    if (subsets.length > 0) next.subsets = subsets;
    else delete next.subsets;
    if (!current) {
      this.api.create(R.endpoints, namespaceOf(svc), next);
      return;
    }
    delete meta.resourceVersion;
    this.api.update(R.endpoints, current, next);
  }
}
