// traffic-control's admin HTTP API: health and readiness for the kubelet, Prometheus metrics,
// and the debug views envoy-config reads (config_dump per node, syncz for every proxy).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../lib/log.js';
import type { SnapshotCache } from '../xds/cache.js';
import type { SyncStatus } from '../xds/status.js';
import { configDump, syncz } from './dump.js';
import type { ControlMetrics } from './metrics.js';

export interface AdminOptions {
  cache: SnapshotCache;
  status: SyncStatus;
  metrics: ControlMetrics;
  log: Logger;
  /** undefined when ready, else why not. */
  notReady: () => string | undefined;
  host?: string;
  port?: number;
}

function send(
  res: ServerResponse,
  status: number,
  body: string,
  type = 'text/plain; charset=utf-8',
): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, `${JSON.stringify(body, null, 2)}\n`, 'application/json');
}

export class AdminServer {
  private readonly server: Server;

  constructor(private readonly opts: AdminOptions) {
    this.server = createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => {
        opts.log.error({ err, url: req.url }, 'admin request failed');
        if (!res.headersSent) json(res, 500, { error: 'internal error' });
      });
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://admin');
    if (req.method !== 'GET') return json(res, 405, { error: 'only GET is served' });
    switch (url.pathname) {
      case '/healthz':
        return send(res, 200, 'ok\n');
      case '/readyz': {
        const why = this.opts.notReady();
        return why ? send(res, 503, `not ready: ${why}\n`) : send(res, 200, 'ok\n');
      }
      case '/metrics':
        return send(
          res,
          200,
          await this.opts.metrics.registry.metrics(),
          this.opts.metrics.registry.contentType,
        );
      case '/debug/config_dump':
        return this.dump(url, res);
      case '/debug/syncz':
        return json(res, 200, syncz(this.opts.cache, this.opts.status));
      default:
        return json(res, 404, {
          error: `no such path ${url.pathname}`,
          paths: [
            '/healthz',
            '/readyz',
            '/metrics',
            '/debug/config_dump?node=<pod>.<namespace>',
            '/debug/syncz',
          ],
        });
    }
  }

  private dump(url: URL, res: ServerResponse): void {
    const node = url.searchParams.get('node');
    if (!node) return json(res, 400, { error: 'missing ?node=<pod>.<namespace>' });
    const r = configDump(this.opts.cache, this.opts.status, {
      node,
      type: url.searchParams.get('type') ?? undefined,
      resource: url.searchParams.get('resource') ?? undefined,
    });
    if (r.ok) json(res, 200, r.dump);
    else json(res, r.status, { error: r.error, ...(r.nodes ? { nodes: r.nodes } : {}) });
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? 15010, this.opts.host ?? '0.0.0.0', () => resolve());
    });
    const port = (this.server.address() as AddressInfo).port;
    this.opts.log.info({ port }, 'admin server listening');
    return port;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
