// Assembles the controller set from the options.
import type { ObjectApi } from '../objects.js';
import { DaemonSetController } from './daemonsets.js';
import { DeploymentController } from './deployments.js';
import { EndpointsController } from './endpoints.js';
import { EndpointSliceController } from './endpointslices.js';
import { GarbageCollector } from './gc.js';
import { KubeletSim, type KubeletOptions } from './kubelet.js';
import { ReplicaSetController } from './replicasets.js';
import type { Controller } from './runner.js';
import { StatefulSetController } from './statefulsets.js';

export interface ControllerToggles {
  /** EndpointSlices for Services with a selector (default on). */
  endpointSlices?: boolean;
  /** core/v1 Endpoints for Services with a selector (default on). */
  endpoints?: boolean;
  /** Deployment → ReplicaSet → Pod, StatefulSet and DaemonSet pods (default on). */
  workloads?: boolean;
  /** Cascading deletion by ownerReferences (default on). */
  garbageCollector?: boolean;
}

export function buildControllers(
  api: ObjectApi,
  toggles: boolean | ControllerToggles | undefined,
  kubelets: readonly KubeletOptions[],
): Controller[] {
  const on = (key: keyof ControllerToggles): boolean =>
    toggles === undefined ||
    toggles === true ||
    (typeof toggles === 'object' && toggles[key] !== false);
  const list: Controller[] = [];
  if (on('garbageCollector')) list.push(new GarbageCollector(api));
  if (on('workloads')) {
    list.push(
      new DeploymentController(api),
      new ReplicaSetController(api),
      new StatefulSetController(api),
      new DaemonSetController(api),
    );
  }
  if (kubelets.length > 0) list.push(new KubeletSim(api, kubelets));
  if (on('endpointSlices')) list.push(new EndpointSliceController(api));
  if (on('endpoints')) list.push(new EndpointsController(api));
  return list;
}
