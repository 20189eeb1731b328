// A pod's own ports (traffic.port.<port> on the pod or its workload): callers that connect to
// the pod's IP and port directly are proxied as the label says, with default policy, under the
// original system's names (cluster `<port>|<ip>.static`, stats `<port>|<pod>|<ns>.static`).
import type { PodModel } from '../model/types.js';
import { defaultServicePolicy } from '../policy/service.js';
import type { PodPolicy } from '../policy/types.js';
import { edsCluster } from './cluster.js';
import { loadAssignment } from './endpoints.js';
import { httpConnectionManager } from './http.js';
import { PASSTHROUGH_CLUSTER } from './names.js';
import { routeConfiguration } from './route.js';
import {
  chainFor,
  emptyBundle,
  tcpProxy,
  type ServiceBundle,
  type TranslateOptions,
} from './service.js';

const DEFAULTS = defaultServicePolicy();

export function translatePod(
  pod: PodModel,
  policy: PodPolicy,
  opts: TranslateOptions,
): ServiceBundle {
  const out = emptyBundle(`${pod.namespace}/${pod.name}`);
  for (const ip of pod.ips) {
    for (const [port, protocol] of policy.ports) {
      const stat = `${port}|${pod.name}|${pod.namespace}.static`;
      if (protocol === 'direct') {
        out.passthrough = true;
        out.chains.push(chainFor(ip, port, stat, tcpProxy(stat, { cluster: PASSTHROUGH_CLUSTER })));
        continue;
      }
      const cluster = `${port}|${ip.replace(/[.:]/g, '_')}.static`;
      out.clusters.push({ name: cluster, resource: edsCluster(cluster, protocol, DEFAULTS) });
      out.endpoints.push({
        name: cluster,
        resource: loadAssignment(cluster, [{ ip, port, weight: policy.weight || 1 }]),
      });
      if (protocol === 'tcp') {
        out.chains.push(chainFor(ip, port, stat, tcpProxy(stat, { cluster })));
        continue;
      }
      out.routes.push({
        name: stat,
        resource: routeConfiguration(stat, DEFAULTS, protocol, { cluster, subsets: new Map() }),
      });
      const hcm = httpConnectionManager(DEFAULTS, {
        statPrefix: stat,
        routeName: stat,
        zipkin: opts.zipkin !== undefined,
      });
      out.chains.push(
        chainFor(ip, port, stat, {
          name: 'envoy.filters.network.http_connection_manager',
          typed_config: hcm,
        }),
      );
    }
  }
  return out;
}
