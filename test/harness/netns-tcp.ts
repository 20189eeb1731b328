// TCP client and server inside a network namespace, implemented with this Node binary run under
// `nsenter --net`. The scripts are constants; every value travels through argv.
import { execa } from 'execa';
import type { ResultPromise } from 'execa';
import { netnsPath } from './netns.js';
import type { NetnsTarget } from './netns.js';
import { assertHost, assertPort } from './validate.js';
import { waitFor } from './wait.js';

// argv: host port payload timeoutMs. Prints what the server sent; exit 1 on error, 2 on timeout.
const CLIENT = `
const net = require('node:net');
const [host, port, payload, timeoutMs] = process.argv.slice(1);
const chunks = [];
const sock = net.connect({ host, port: Number(port) });
const timer = setTimeout(() => { process.stderr.write('timeout'); process.exit(2); }, Number(timeoutMs));
sock.on('connect', () => { if (payload) sock.write(payload); sock.end(); });
sock.on('data', (c) => chunks.push(c));
sock.on('error', (e) => { process.stderr.write(String(e.code || e.message)); process.exit(1); });
sock.on('close', () => { clearTimeout(timer); process.stdout.write(Buffer.concat(chunks)); });
`;

// argv: host port reply. Answers every connection with the reply and closes it; reports
// "LISTENING <port>" once bound and "CONN <remote address>" per connection.
const SERVER = `
const net = require('node:net');
const [host, port, reply] = process.argv.slice(1);
const srv = net.createServer((sock) => {
  process.stdout.write('CONN ' + sock.remoteAddress + '\\n');
  sock.on('error', () => {});
  sock.end(reply);
});
srv.on('error', (e) => { process.stderr.write(String(e.code || e.message)); process.exit(1); });
srv.listen({ host, port: Number(port) }, () => process.stdout.write('LISTENING ' + srv.address().port + '\\n'));
process.on('SIGTERM', () => process.exit(0));
`;

export interface ConnectResult {
  ok: boolean;
  /** Bytes the server sent before closing. */
  data: string;
  /** Error code (ECONNREFUSED, ...) or 'timeout' when not ok. */
  error?: string;
}

function assertId(kind: string, id: number): number {
  if (!Number.isInteger(id) || id < 0 || id > 2 ** 31) throw new Error(`invalid ${kind}: ${id}`);
  return id;
}

/** nsenter's --setuid/--setgid for a client that must run as another user (e.g. the proxy's). */
function identityArgs(opts: { uid?: number; gid?: number }): string[] {
  const args: string[] = [];
  if (opts.gid !== undefined) args.push(`--setgid=${assertId('gid', opts.gid)}`);
  if (opts.uid !== undefined) args.push(`--setuid=${assertId('uid', opts.uid)}`);
  return args;
}

/**
 * Connects from inside `target`'s netns to host:port, sends `send`, returns what came back.
 * `uid`/`gid` run the client as that user/group (nsenter --setuid/--setgid; both default to
 * unchanged, i.e. root).
 */
export async function connectFromNetns(
  target: NetnsTarget,
  host: string,
  port: number,
  opts: { send?: string; timeoutMs?: number; uid?: number; gid?: number } = {},
): Promise<ConnectResult> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const args = [assertHost(host), String(assertPort(port)), opts.send ?? '', String(timeoutMs)];
  const r = await execa(
    'nsenter',
    [
      `--net=${netnsPath(target)}`,
      ...identityArgs(opts),
      '--',
      // tap injects its loaders through NODE_OPTIONS into every child (even with a clean env);
      // another uid may not read them (a checkout in a 0700 directory), and the client needs none.
      'env',
      '-u',
      'NODE_OPTIONS',
      process.execPath,
      '-e',
      CLIENT,
      ...args,
    ],
    {
      reject: false,
      timeout: timeoutMs + 10_000,
      stdin: 'ignore',
      stripFinalNewline: false,
      // Nor a working directory that uid may not enter.
      cwd: '/',
    },
  );
  if (r.exitCode === 0) return { ok: true, data: r.stdout };
  return { ok: false, data: r.stdout, error: r.stderr.trim() || r.message };
}

export interface NetnsListener {
  pid: number;
  port: number;
  /** Remote addresses of the connections seen so far. */
  connections: string[];
  /** Waits (bounded) until at least `count` connections were seen; returns them. */
  waitForConnections(count: number, timeoutMs?: number): Promise<string[]>;
  stop(): Promise<void>;
}

function waitListening(sub: ResultPromise, conns: string[], timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let port: number | undefined;
    const timer = setTimeout(() => reject(new Error('listener did not start in time')), timeoutMs);
    sub.stdout?.setEncoding('utf8');
    sub.stdout?.on('data', (chunk: string) => {
      buf += chunk;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('CONN ')) conns.push(line.slice(5));
        if (line.startsWith('LISTENING ') && port === undefined) {
          port = Number(line.slice(10));
          clearTimeout(timer);
          resolve(port);
        }
      }
    });
    sub.then(
      (r) => reject(new Error(`listener exited: ${String(r.exitCode)} ${String(r.stderr)}`)),
      (e: unknown) => reject(e instanceof Error ? e : new Error(String(e))),
    );
  });
}

/** A TCP server inside `target`'s netns that answers every connection with `reply`. */
export async function listenInNetns(
  target: NetnsTarget,
  port: number,
  opts: { host?: string; reply?: string } = {},
): Promise<NetnsListener> {
  const args = [assertHost(opts.host ?? '0.0.0.0'), String(port === 0 ? 0 : assertPort(port))];
  const sub = execa(
    'nsenter',
    [
      `--net=${netnsPath(target)}`,
      '--',
      process.execPath,
      '-e',
      SERVER,
      ...args,
      opts.reply ?? 'ok',
    ],
    { reject: false, buffer: { stdout: false, stderr: true }, stdin: 'ignore' },
  );
  const connections: string[] = [];
  const stop = async (): Promise<void> => {
    sub.kill('SIGTERM');
    await sub;
  };
  try {
    const bound = await waitListening(sub, connections, 10_000);
    if (sub.pid === undefined) throw new Error('listener has no pid');
    const waitForConnections = (count: number, timeoutMs = 5000): Promise<string[]> =>
      waitFor(async () => (connections.length >= count ? [...connections] : undefined), {
        what: `${count} connection(s) to port ${bound}`,
        timeoutMs,
        intervalMs: 20,
      });
    return { pid: sub.pid, port: bound, connections, waitForConnections, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
