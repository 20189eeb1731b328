// The agent's small HTTP endpoint: /metrics (Prometheus), /healthz (the process answers),
// /readyz (informers synced and the container runtime reachable).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgentMetrics } from './metrics.js';

export interface AgentHttpOptions {
  port: number;
  host?: string;
  metrics: AgentMetrics;
  ready: () => Promise<boolean>;
}

export async function startAgentHttp(
  o: AgentHttpOptions,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, body: string, type = 'text/plain'): void => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (path === '/healthz') return reply(200, 'ok\n');
    if (path === '/readyz') {
      o.ready().then(
        (r) => reply(r ? 200 : 503, r ? 'ready\n' : 'not ready\n'),
        () => reply(503, 'not ready\n'),
      );
      return;
    }
    if (path === '/metrics') {
      o.metrics.registry.metrics().then(
        (m) => reply(200, m, o.metrics.registry.contentType),
        (err: unknown) => reply(500, String(err)),
      );
      return;
    }
    reply(404, 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '0.0.0.0', () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
