// HTTP probes from inside a network namespace, against a real netns (needs root, `ip`, `nsenter`;
// missing prerequisites fail the test). A small HTTP server runs in the netns and plays Envoy's
// admin: /ready, /listeners, plus a few endpoints for the probe itself.
import { execa, type ResultPromise } from 'execa';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import t, { type Test } from 'tap';
import { envoyReady, httpGetInNetns, parseListeners, type NetnsRef } from '../../agent/probe.js';
import { createNetns, deleteNetns } from '../harness/netns.js';

// argv: host port mode token. mode: live | starting | stats-only. Prints "LISTENING <port>".
const SERVER = `
const http = require('node:http');
const [host, port, mode, token] = process.argv.slice(1);
const LISTENERS = {
  live: 'outbound::0.0.0.0:10000\\nstats::0.0.0.0:15090\\n',
  'stats-only': 'stats::0.0.0.0:15090\\n',
};
const routes = {
  '/ready': () => (mode === 'starting' ? [503, 'PRE_INITIALIZING\\n'] : [200, 'LIVE\\n']),
  '/listeners': () => [200, LISTENERS[mode] || ''],
  '/token': () => [200, token],
  '/big': () => [200, 'x'.repeat(100 * 1024)],
  '/echo': (req) => [200, req.url],
};
const srv = http.createServer((req, res) => {
  const path = new URL(req.url, 'http://probe').pathname;
  if (path === '/slow') return;
  const route = routes[path];
  const [status, body] = route ? route(req) : [404, 'not found'];
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(body);
});
srv.on('error', (e) => { process.stderr.write(String(e.code || e.message)); process.exit(1); });
srv.listen({ host, port: Number(port) }, () => process.stdout.write('LISTENING ' + srv.address().port + '\\n'));
process.on('SIGTERM', () => process.exit(0));
`;

type Mode = 'live' | 'starting' | 'stats-only';

interface Server {
  pid: number;
  port: number;
  token: string;
}

const tag = randomBytes(4).toString('hex');
const NS = `tm-probe-${tag}`;
const NS_PATH = `/run/netns/${NS}`;
const NS_REF: NetnsRef = { path: NS_PATH };

function waitListening(sub: ResultPromise, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('server did not start in time')), timeoutMs);
    sub.stdout?.setEncoding('utf8');
    sub.stdout?.on('data', (chunk: string) => {
      buf += chunk;
      const m = /LISTENING (\d+)\n/.exec(buf);
      if (!m) return;
      clearTimeout(timer);
      resolve(Number(m[1]));
    });
    sub.then(
      (r) => reject(new Error(`server exited: ${String(r.exitCode)} ${String(r.stderr)}`)),
      (e: unknown) => reject(e instanceof Error ? e : new Error(String(e))),
    );
  });
}

/** An HTTP server inside NS on 127.0.0.1:`port` (0: any), killed by pid at teardown. */
async function serve(tt: Test, mode: Mode, port = 0): Promise<Server> {
  const token = randomBytes(8).toString('hex');
  const sub = execa(
    'nsenter',
    [`--net=${NS_PATH}`, '--', process.execPath, '-e', SERVER, '--'].concat([
      '127.0.0.1',
      String(port),
      mode,
      token,
    ]),
    { reject: false, stdin: 'ignore', buffer: { stdout: false, stderr: true } },
  );
  const pid = sub.pid;
  tt.teardown(async () => {
    if (pid !== undefined) process.kill(pid, 'SIGTERM');
    await sub;
  });
  const bound = await waitListening(sub, 10_000);
  if (pid === undefined) throw new Error('server has no pid');
  return { pid, port: bound, token };
}

/** A port nothing on the host's loopback listens on right now. */
function freeHostPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

// Prerequisites: a failure here fails the file; nothing is skipped.
if (process.getuid?.() !== 0) throw new Error('probe tests need root (ip netns, nsenter)');
await createNetns(NS);
t.teardown(() => deleteNetns(NS));

t.test('a GET inside the netns gets status and body; the host cannot reach it', async (tt) => {
  const s = await serve(tt, 'live', await freeHostPort());
  const r = await httpGetInNetns(NS_REF, s.port, '/token');
  tt.same(r, { ok: true, status: 200, body: s.token });

  const byPid = await httpGetInNetns({ pid: s.pid }, s.port, '/token');
  tt.same(byPid, { ok: true, status: 200, body: s.token }, 'by the pid of a process in the netns');

  const fromHost = await httpGetInNetns({ pid: process.pid }, s.port, '/token');
  tt.not(fromHost.body, s.token, 'the same port in the host netns is another socket');
  tt.equal(fromHost.ok, false, `nothing there on the host (${fromHost.error ?? ''})`);

  const ready = await httpGetInNetns(NS_REF, s.port, '/ready');
  tt.same(ready, { ok: true, status: 200, body: 'LIVE\n' });
  const q = await httpGetInNetns(NS_REF, s.port, '/echo?filter=server.total_connections');
  tt.equal(q.body, '/echo?filter=server.total_connections', 'the query string is sent as given');
  tt.same(await httpGetInNetns(NS_REF, s.port, '/nope'), {
    ok: true,
    status: 404,
    body: 'not found',
  });
});

t.test('bodies are cut at 64 KiB; a silent server is a timeout', async (tt) => {
  const s = await serve(tt, 'live');
  const big = await httpGetInNetns(NS_REF, s.port, '/big');
  tt.equal(big.status, 200);
  tt.equal(big.body?.length, 64 * 1024);

  const started = Date.now();
  const slow = await httpGetInNetns(NS_REF, s.port, '/slow', { timeoutMs: 300 });
  tt.same(slow, { ok: false, error: 'timeout' });
  tt.ok(Date.now() - started < 5000, 'bounded by the timeout, not by the server');
});

t.test('nothing listening: ECONNREFUSED, quickly', async (tt) => {
  const port = await freeHostPort();
  const started = Date.now();
  const r = await httpGetInNetns(NS_REF, port, '/ready');
  tt.same(r, { ok: false, error: 'ECONNREFUSED' });
  tt.ok(Date.now() - started < 3000, `answered in ${Date.now() - started} ms`);
  const e = await envoyReady(NS_REF, port);
  tt.equal(e.ready, false);
  tt.match(e.detail, /GET \/ready failed: ECONNREFUSED/);
});

t.test('envoyReady: LIVE with a listener from traffic-control', async (tt) => {
  const s = await serve(tt, 'live');
  const r = await envoyReady(NS_REF, s.port);
  tt.same(r.listeners, ['outbound', 'stats']);
  tt.equal(r.ready, true);
  tt.match(r.detail, /^LIVE, listeners: outbound, stats$/);
  tt.equal((await envoyReady({ pid: s.pid }, s.port)).ready, true, 'by pid too');
});

t.test('envoyReady: not LIVE yet, or only the bootstrap stats listener', async (tt) => {
  const starting = await serve(tt, 'starting');
  const r = await envoyReady(NS_REF, starting.port);
  tt.equal(r.ready, false);
  tt.same(r.listeners, []);
  tt.match(r.detail, /GET \/ready answered 503 PRE_INITIALIZING/);

  const statsOnly = await serve(tt, 'stats-only');
  const s = await envoyReady(NS_REF, statsOnly.port);
  tt.equal(s.ready, false);
  tt.same(s.listeners, ['stats']);
  tt.match(s.detail, /no listener from traffic-control yet/);
});

t.test('a netns that is gone is a result, not an exception', async (tt) => {
  tt.same(await httpGetInNetns({ pid: 2 ** 30 }, 8900, '/ready'), { ok: false, error: 'ENOENT' });
  const missing = { path: `/run/netns/tm-probe-${tag}-gone` };
  tt.same(await httpGetInNetns(missing, 8900, '/ready'), { ok: false, error: 'ENOENT' });
  const e = await envoyReady(missing, 8900);
  tt.same({ ready: e.ready, listeners: e.listeners }, { ready: false, listeners: [] });
  tt.match(e.detail, /ENOENT/);
});

t.test('invalid arguments are programmer errors (TM_INVALID_ARGUMENT)', async (tt) => {
  const invalid = { name: 'InvalidArgumentError', code: 'TM_INVALID_ARGUMENT' };
  const cases: [string, () => Promise<unknown>][] = [
    ['port 0', () => httpGetInNetns(NS_REF, 0, '/ready')],
    ['port 70000', () => httpGetInNetns(NS_REF, 70000, '/ready')],
    ['port 1.5', () => httpGetInNetns(NS_REF, 1.5, '/ready')],
    ['port NaN', () => httpGetInNetns(NS_REF, NaN, '/ready')],
    ['relative path', () => httpGetInNetns(NS_REF, 8900, 'ready')],
    ['empty path', () => httpGetInNetns(NS_REF, 8900, '')],
    ['path with a space', () => httpGetInNetns(NS_REF, 8900, '/a b')],
    ['path with a quote', () => httpGetInNetns(NS_REF, 8900, '/a"b')],
    ['path with a newline', () => httpGetInNetns(NS_REF, 8900, '/a\r\nHost: x')],
    ['path with a fragment', () => httpGetInNetns(NS_REF, 8900, '/a#b')],
    ['pid 0', () => httpGetInNetns({ pid: 0 }, 8900, '/ready')],
    ['pid -5', () => httpGetInNetns({ pid: -5 }, 8900, '/ready')],
    ['pid 1.5', () => httpGetInNetns({ pid: 1.5 }, 8900, '/ready')],
    ['relative netns path', () => httpGetInNetns({ path: 'run/netns/x' }, 8900, '/ready')],
    ['netns path with ..', () => httpGetInNetns({ path: '/run/netns/../x' }, 8900, '/ready')],
    ['netns path with a space', () => httpGetInNetns({ path: '/run/a b' }, 8900, '/ready')],
    ['timeout 0', () => httpGetInNetns(NS_REF, 8900, '/ready', { timeoutMs: 0 })],
    [
      'host 0.0.0.0',
      () => httpGetInNetns(NS_REF, 8900, '/ready', { host: '0.0.0.0' as '127.0.0.1' }),
    ],
    ['envoyReady port 0', () => envoyReady(NS_REF, 0)],
  ];
  for (const [what, call] of cases) await tt.rejects(call(), invalid, what);
});

t.test('parseListeners reads the admin plain-text format', async (tt) => {
  tt.same(parseListeners('outbound::0.0.0.0:10000,[::]:10000\nstats::[::]:15090\n\nnoise\n'), [
    'outbound',
    'stats',
  ]);
  tt.same(parseListeners(''), []);
});
