// A real @grpc/grpc-js-xds client on the ingress gateway's routes. Such a client reads only
// api_listeners (it cannot be an Envoy listener on :8080), so this serves the gateway's own
// resources, as traffic-control built them for node traffic-ingress (its route table, clusters
// and endpoints, byte for byte), from a second control plane, together with one api_listener
// for `host` that points at that route table; the client connects as node traffic-ingress.
import { pino } from 'pino';
import { readableResource } from '../../control/admin/readable.js';
import { ControlPlane } from '../../control/plane.js';
import { encodeResource, type EncodedResource } from '../../control/xds/encode.js';
import { Snapshot } from '../../control/xds/snapshot.js';
import { TYPE, type TypeUrl } from '../../control/xds/types.js';
import type { R } from './translate-fixture.js';
import { remoteXdsClient, type RemoteClient } from './xds-client-process.js';
import { apiListener } from './xds-fixtures.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** The gateway's route table, clusters and endpoints, plus an api_listener for `host`. */
export function probeSnapshot(gateway: Snapshot, host: string): Snapshot {
  const pick = (url: TypeUrl, only?: string): Map<string, EncodedResource> =>
    new Map([...gateway.items(url)].filter(([n]) => only === undefined || n === only));
  const listener = encodeResource(TYPE.listener, host, apiListener(host, 'ingress_http'));
  return Snapshot.fromEncoded(
    new Map<TypeUrl, ReadonlyMap<string, EncodedResource>>([
      [TYPE.cluster, pick(TYPE.cluster)],
      [TYPE.endpoint, pick(TYPE.endpoint)],
      [TYPE.listener, new Map([[host, listener]])],
      [TYPE.route, pick(TYPE.route, 'ingress_http')],
    ]),
  );
}

export function readable(s: Snapshot, url: TypeUrl, name: string): R | undefined {
  const r = s.items(url).get(name);
  return r ? readableResource(url, r.bytes) : undefined;
}

/** A client that calls `host` through the gateway's route table (see the file comment). */
export async function gatewayClient(
  t: Teardown,
  gateway: Snapshot,
  host: string,
): Promise<RemoteClient> {
  const plane = new ControlPlane({
    log: pino({ level: 'silent' }),
    host: '127.0.0.1',
    xdsPort: 0,
    adminPort: 0,
  });
  const { xdsPort } = await plane.start();
  t.teardown(() => plane.stop());
  const set = plane.cache.set('traffic-ingress', probeSnapshot(gateway, host));
  if (!set.valid) throw new Error(`probe snapshot: ${set.errors.join('; ')}`);
  return remoteXdsClient(t, xdsPort, 'traffic-ingress', host);
}
