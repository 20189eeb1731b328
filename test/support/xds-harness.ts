// Shared set-up for xDS protocol tests: a server on 127.0.0.1:0 with events recorded.
import type { Test } from 'tap';
import { pino } from 'pino';
import { SnapshotCache } from '../../control/xds/cache.js';
import { XdsServer } from '../../control/xds/server.js';
import type { AckInfo, NackInfo, ResponseInfo, XdsEvents } from '../../control/xds/events.js';
import type { StreamDeps } from '../../control/xds/stream-base.js';

export interface Harness {
  cache: SnapshotCache;
  server: XdsServer;
  port: number;
  acks: AckInfo[];
  nacks: NackInfo[];
  sent: ResponseInfo[];
  refused: { nodeId: string; reason: string }[];
}

export async function startXds(t: Test, authorize?: StreamDeps['authorize']): Promise<Harness> {
  const cache = new SnapshotCache();
  const h: Omit<Harness, 'server' | 'port'> = { cache, acks: [], nacks: [], sent: [], refused: [] };
  const events: XdsEvents = {
    ack: (a) => h.acks.push(a),
    nack: (n) => h.nacks.push(n),
    responseSent: (r) => h.sent.push(r),
    refused: (r) => h.refused.push(r),
  };
  const server = new XdsServer({
    cache,
    log: pino({ level: 'silent' }),
    host: '127.0.0.1',
    port: 0,
    events: [events],
    authorize,
  });
  const port = await server.start();
  t.teardown(() => server.stop(100));
  return { ...h, server, port };
}

export const NODE = { id: 'details-v1-79f774bdb9-kxzvq.default', locality: {} };
