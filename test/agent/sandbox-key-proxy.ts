// A Docker API socket in front of the harness's private engine that reports sandboxes the way a
// node's Docker does: the engine keeps its netns files under its own exec root (in the engine
// directory), a node's under /var/run/docker/netns. Container inspections have their SandboxKey
// prefix `from` replaced by `to` (e.g. /var/run/tm-e2e-x); everything else passes unchanged.
import {
  createServer,
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';

export interface SandboxKeyProxy {
  /** How many SandboxKeys were rewritten so far. */
  readonly rewritten: number;
  close(): Promise<void>;
}

const INSPECT = /^(\/v[0-9.]+)?\/containers\/[^/?]+\/json(\?.*)?$/;
const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding'];

function endToEnd(h: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(h).filter(([k]) => !HOP_BY_HOP.includes(k)));
}

interface Inspect {
  NetworkSettings?: { SandboxKey?: string };
}

export async function sandboxKeyProxy(o: {
  socketPath: string;
  upstream: string;
  from: string;
  to: string;
}): Promise<SandboxKeyProxy> {
  let rewritten = 0;
  const rewrite = (body: Buffer): Buffer => {
    const info = JSON.parse(body.toString('utf8')) as Inspect;
    const key = info.NetworkSettings?.SandboxKey ?? '';
    if (!info.NetworkSettings || !key.startsWith(`${o.from}/`)) return body;
    info.NetworkSettings.SandboxKey = o.to + key.slice(o.from.length);
    rewritten++;
    return Buffer.from(JSON.stringify(info));
  };
  const answer = (req: IncomingMessage, res: ServerResponse, up: IncomingMessage): void => {
    const inspect = req.method === 'GET' && INSPECT.test(req.url ?? '') && up.statusCode === 200;
    if (!inspect) {
      res.writeHead(up.statusCode ?? 502, endToEnd(up.headers));
      up.pipe(res);
      return;
    }
    const chunks: Buffer[] = [];
    up.on('data', (c: Buffer) => chunks.push(c));
    up.on('end', () => {
      const body = rewrite(Buffer.concat(chunks));
      res.writeHead(200, { ...endToEnd(up.headers), 'content-length': body.length });
      res.end(body);
    });
  };
  const server = createServer((req, res) => {
    const headers = endToEnd(req.headers);
    const forward = request(
      { socketPath: o.upstream, method: req.method, path: req.url, headers },
      (up) => answer(req, res, up),
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.socketPath, resolve);
  });
  return {
    get rewritten() {
      return rewritten;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
