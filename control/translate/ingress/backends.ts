// An Ingress backend → the Service port it names (in the Ingress's own namespace), by port number
// or by port name, or the reason it cannot be routed: the Service is missing, has no such port,
// or the port is not TCP.
import type { IngressBackend, ObjectKey, ServiceModel, ServicePort } from '../../model/types.js';

export interface ServicePortRef {
  key: ObjectKey;
  service: ServiceModel;
  port: ServicePort;
}

export type BackendResult = { ok: ServicePortRef } | { error: string };

function describePorts(s: ServiceModel): string {
  const list = s.ports.map((p) => (p.name ? `${p.port} (${p.name})` : String(p.port)));
  return list.length > 0 ? list.join(', ') : 'none';
}

function findPort(s: ServiceModel, port: number | string): ServicePort | undefined {
  return typeof port === 'number'
    ? s.ports.find((p) => p.port === port)
    : s.ports.find((p) => p.name === port);
}

export function resolveBackend(
  b: IngressBackend,
  namespace: string,
  services: ReadonlyMap<ObjectKey, ServiceModel>,
): BackendResult {
  const key = `${namespace}/${b.service}`;
  const service = services.get(key);
  if (!service) return { error: `backend Service ${key} does not exist` };
  if (b.port === 0 || b.port === '') return { error: `backend Service ${key}: no port given` };
  const port = findPort(service, b.port);
  const what = typeof b.port === 'number' ? `port ${b.port}` : `port named "${b.port}"`;
  if (!port) {
    return {
      error: `backend Service ${key} has no ${what} (its ports: ${describePorts(service)})`,
    };
  }
  if (port.protocol !== 'TCP') {
    return { error: `backend Service ${key} ${what} is ${port.protocol}; HTTP needs TCP` };
  }
  return { ok: { key, service, port } };
}
