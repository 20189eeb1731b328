// What the capture rules do to real connections, for each backend (nft, legacy) and both address
// families. Two namespaces joined by a veth pair: "app" (10.99.0.1, fd00:99::1) gets the capture
// rules and a stand-in proxy listening on the capture port; "peer" (10.99.0.2, fd00:99::2) runs
// the real servers. Every reply names who answered, so each connection shows where it went.
// Needs root: without it the file fails, it is never skipped.
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { execa, type ResultPromise } from 'execa';
import t, { type Test } from 'tap';
import {
  DEFAULT_CAPTURE,
  applyCapture,
  detectBackend,
  netnsHasIpv6,
  removeCapture,
  verifyCapture,
  type Backend,
  type CaptureOptions,
  type Family,
} from '../../iptables/index.js';
import { createNetns, deleteNetns, execInNetns, linkNetns, run } from '../harness/netns.js';
import { connectFromNetns, listenInNetns } from '../harness/netns-tcp.js';

if (process.getuid?.() !== 0) throw new Error('this test needs root: it runs real iptables');

const runId = randomBytes(3).toString('hex');
const BOTH: Family[] = ['ipv4', 'ipv6'];
const CAPTURE_PORT = DEFAULT_CAPTURE.capturePort;

// The harness's TCP helpers only take IPv4 addresses and host names; these take any IP literal.
// Constant scripts, values through argv.
const SERVER = `
const net = require('node:net');
const [host, port, reply] = process.argv.slice(1);
const srv = net.createServer((s) => { s.on('error', () => {}); s.end(reply); });
srv.on('error', (e) => { process.stderr.write(String(e.code || e.message)); process.exit(1); });
srv.listen({ host, port: Number(port), ipv6Only: false }, () => process.stdout.write('LISTENING\\n'));
process.on('SIGTERM', () => process.exit(0));
`;
const CLIENT = `
const net = require('node:net');
const [host, port] = process.argv.slice(1);
const chunks = [];
const sock = net.connect({ host, port: Number(port) }, () => sock.end());
setTimeout(() => { process.stderr.write('timeout'); process.exit(2); }, 4000).unref();
sock.on('data', (c) => chunks.push(c));
sock.on('error', (e) => { process.stderr.write(String(e.code || e.message)); process.exit(1); });
sock.on('close', () => process.stdout.write(Buffer.concat(chunks)));
`;

function ipLiteral(host: string): string {
  if (isIP(host) === 0) throw new Error(`not an IP literal: ${host}`);
  return host;
}

async function serve(
  t: Test,
  ns: string,
  host: string,
  port: number,
  reply: string,
): Promise<void> {
  const sub: ResultPromise = execa(
    'nsenter',
    [
      `--net=/run/netns/${ns}`,
      '--',
      process.execPath,
      '-e',
      SERVER,
      ipLiteral(host),
      String(port),
      reply,
    ],
    { reject: false, stdin: 'ignore', buffer: { stdout: false } },
  );
  t.teardown(async () => {
    sub.kill('SIGTERM');
    await sub;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${host}:${port} did not listen`)), 10_000);
    sub.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('LISTENING')) {
        clearTimeout(timer);
        resolve();
      }
    });
    sub.then(
      (r) => reject(new Error(`server ${host}:${port} exited: ${String(r.stderr)}`)),
      reject,
    );
  });
}

interface As {
  uid?: number;
  gid?: number;
}

/** What a client in `ns` (as root, or as uid/gid) receives from host:port: the reply or an error. */
async function reply(ns: string, host: string, port: number, as: As = {}): Promise<string> {
  if (isIP(host) === 4) {
    const r = await connectFromNetns({ netns: ns }, host, port, { timeoutMs: 4000, ...as });
    return r.ok ? r.data : `error: ${r.error ?? ''}`;
  }
  const ids = [
    ...(as.gid === undefined ? [] : [`--setgid=${as.gid}`]),
    ...(as.uid === undefined ? [] : [`--setuid=${as.uid}`]),
  ];
  const r = await execa(
    'nsenter',
    [
      `--net=/run/netns/${ns}`,
      ...ids,
      '--',
      // tap injects its loaders through NODE_OPTIONS into every child (even with a clean env);
      // another uid may not read them (a checkout in a 0700 directory), and the client needs none.
      'env',
      '-u',
      'NODE_OPTIONS',
      process.execPath,
      '-e',
      CLIENT,
      ipLiteral(host),
      String(port),
    ],
    { reject: false, timeout: 15_000, stdin: 'ignore', cwd: '/' },
  );
  return r.exitCode === 0 ? r.stdout : `error: ${r.stderr}`;
}

interface Pair {
  app: string;
  peer: string;
  target: { path: string };
}

async function pair(t: Test, backend: Backend): Promise<Pair> {
  const tag = `${runId}${backend[0] ?? 'x'}`;
  const app = `tm-ipt-${tag}-app`;
  const peer = `tm-ipt-${tag}-peer`;
  await createNetns(app);
  t.teardown(() => deleteNetns(app));
  await createNetns(peer);
  t.teardown(() => deleteNetns(peer));
  const link = await linkNetns(app, peer, { ipA: '10.99.0.1', ipB: '10.99.0.2', tag });
  await run(['ip', '-n', app, 'addr', 'add', 'fd00:99::1/64', 'dev', link.ifA, 'nodad']);
  await run(['ip', '-n', peer, 'addr', 'add', 'fd00:99::2/64', 'dev', link.ifB, 'nodad']);
  // A foreign rule makes this backend the one detectBackend must pick.
  for (const bin of [`iptables-${backend}`, `ip6tables-${backend}`]) {
    await execInNetns({ netns: app }, [
      bin,
      '-w',
      '5',
      '-t',
      'nat',
      '-A',
      'OUTPUT',
      '-p',
      'udp',
      '-j',
      'RETURN',
    ]);
  }
  return { app, peer, target: { path: `/run/netns/${app}` } };
}

async function servers(t: Test, p: Pair): Promise<void> {
  for (const port of [9080, 9081, 8900]) {
    const l = await listenInNetns({ netns: p.peer }, port, { reply: `real-${port}` });
    t.teardown(() => l.stop());
    await serve(t, p.peer, 'fd00:99::2', port, `real6-${port}`);
  }
  const lo = await listenInNetns({ netns: p.app }, 9082, { host: '127.0.0.1', reply: 'loopback' });
  t.teardown(() => lo.stop());
  const self = await listenInNetns({ netns: p.app }, 9083, { host: '10.99.0.1', reply: 'self' });
  t.teardown(() => self.stop());
  await serve(t, p.app, '::1', 9082, 'loopback6');
  // The stand-in proxy: dual-stack, so REDIRECT's 127.0.0.1 and ::1 both reach it.
  await serve(t, p.app, '::', CAPTURE_PORT, 'captured');
}

async function apply(t: Test, p: Pair, o: Partial<CaptureOptions>): Promise<void> {
  const full = { ...DEFAULT_CAPTURE, ...o };
  await applyCapture(p.target, full, BOTH);
  t.same(
    await verifyCapture(p.target, full, BOTH),
    { ok: true, problems: [] },
    'applied and verified',
  );
}

for (const backend of ['nft', 'legacy'] as const) {
  t.test(`${backend}: outbound TCP goes to the capture port, except what must not`, async (t) => {
    const p = await pair(t, backend);
    await servers(t, p);
    t.equal(await detectBackend(p.target), backend, `${backend} detected`);
    t.equal(await netnsHasIpv6(p.target), true, 'the app netns has a global IPv6 address');
    t.equal(await reply(p.app, '10.99.0.2', 9080), 'real-9080', 'before capture: direct');
    t.equal(await reply(p.app, 'fd00:99::2', 9080), 'real6-9080', 'before capture: direct (IPv6)');

    await apply(t, p, { excludeOutboundPorts: [9081] });
    const cases: [string, number, As, string, string][] = [
      ['10.99.0.2', 9080, {}, 'captured', 'root to a peer'],
      ['10.99.0.2', 12345, {}, 'captured', 'root to a port where nothing listens'],
      ['10.99.0.2', 9080, { uid: 1000, gid: 1000 }, 'captured', 'another user'],
      ['10.99.0.2', 9080, { uid: 1337, gid: 1337 }, 'real-9080', 'the proxy uid+gid goes direct'],
      ['10.99.0.2', 9080, { uid: 1337 }, 'real-9080', 'the proxy uid alone goes direct'],
      ['10.99.0.2', 9080, { uid: 1000, gid: 1337 }, 'real-9080', 'the proxy gid alone goes direct'],
      ['10.99.0.2', 9081, {}, 'real-9081', 'an excluded port goes direct'],
      ['10.99.0.2', 8900, {}, 'real-8900', 'the admin port goes direct'],
      ['127.0.0.1', 9082, {}, 'loopback', '127.0.0.1 goes direct'],
      ['10.99.0.1', 9083, {}, 'self', 'the netns’s own address (via lo) goes direct'],
      ['fd00:99::2', 9080, {}, 'captured', 'IPv6: root to a peer'],
      ['fd00:99::2', 9080, { uid: 1337, gid: 1337 }, 'real6-9080', 'IPv6: the proxy goes direct'],
      ['fd00:99::2', 9081, {}, 'real6-9081', 'IPv6: an excluded port goes direct'],
      ['::1', 9082, {}, 'loopback6', 'IPv6: ::1 goes direct'],
    ];
    for (const [host, port, as, want, what] of cases) {
      t.equal(await reply(p.app, host, port, as), want, what);
    }

    await apply(t, p, { includeOutboundCidrs: ['10.98.0.0/16'] });
    t.equal(await reply(p.app, '10.99.0.2', 9080), 'real-9080', 'outside the include list: direct');
    t.equal(await reply(p.app, 'fd00:99::2', 9080), 'real6-9080', 'no IPv6 CIDR included: direct');
    await apply(t, p, {
      includeOutboundCidrs: ['10.99.0.0/24', 'fd00:99::/64'],
      excludeOutboundCidrs: ['10.99.0.2'],
    });
    t.equal(await reply(p.app, '10.99.0.2', 9080), 'real-9080', 'excluded CIDR wins over include');
    t.equal(await reply(p.app, 'fd00:99::2', 9080), 'captured', 'included IPv6 CIDR: captured');

    t.same(await removeCapture(p.target, BOTH), { removed: true });
    t.equal(await reply(p.app, '10.99.0.2', 9080), 'real-9080', 'after remove: direct');
    t.equal(await reply(p.app, 'fd00:99::2', 9080), 'real6-9080', 'after remove: direct (IPv6)');
  });
}

t.test('netnsHasIpv6 is false without a global IPv6 address', async (t) => {
  const name = `tm-ipt-${runId}-no6`;
  await createNetns(name);
  t.teardown(() => deleteNetns(name));
  t.equal(await netnsHasIpv6({ path: `/run/netns/${name}` }), false);
});
