// Network namespaces without Docker: create, loopback, listener, connections, veth, iptables.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { iptablesBackend, iptablesIn, iptablesSave, normalizeIptablesSave } from './iptables.js';
import { connectFromNetns, listenInNetns } from './netns-tcp.js';
import { createNetns, deleteNetns, execInNetns, linkNetns, netnsExists } from './netns.js';

const tag = randomBytes(3).toString('hex');

async function tempNetns(
  tt: { teardown(fn: () => unknown): void },
  suffix: string,
): Promise<string> {
  const name = `tm-t-${tag}-${suffix}`;
  await createNetns(name);
  tt.teardown(() => deleteNetns(name));
  return name;
}

t.test('a listener inside a netns is reachable there and only there', async (tt) => {
  const ns = await tempNetns(tt, 'a');
  tt.equal(await netnsExists(ns), true);
  const lo = await execInNetns({ netns: ns }, ['ip', '-o', 'link', 'show', 'lo']);
  tt.match(lo.stdout, /[<,]UP[,>]/, 'loopback is up');

  const listener = await listenInNetns({ netns: ns }, 0, { host: '127.0.0.1', reply: `hi-${tag}` });
  tt.teardown(() => listener.stop());
  const r = await connectFromNetns({ netns: ns }, '127.0.0.1', listener.port);
  tt.same(r, { ok: true, data: `hi-${tag}` });
  tt.same(await listener.waitForConnections(1), ['127.0.0.1']);

  const fromHost = await connectFromNetns(process.pid, '127.0.0.1', listener.port, {
    timeoutMs: 2000,
  });
  tt.not(fromHost.data, `hi-${tag}`, 'the host loopback is another one');
});

t.test('two namespaces linked by a veth pair talk over it', async (tt) => {
  const a = await tempNetns(tt, 'b');
  const b = await tempNetns(tt, 'c');
  await linkNetns(a, b, { ipA: '10.250.0.1', ipB: '10.250.0.2', tag });
  const listener = await listenInNetns({ netns: b }, 8080, {
    host: '10.250.0.2',
    reply: 'over-veth',
  });
  tt.teardown(() => listener.stop());
  const r = await connectFromNetns({ netns: a }, '10.250.0.2', 8080);
  tt.same(r, { ok: true, data: 'over-veth' });
  tt.same(await listener.waitForConnections(1), ['10.250.0.1'], 'source address is the peer');
});

t.test('iptables rules stay inside their netns', async (tt) => {
  const ns = await tempNetns(tt, 'd');
  tt.comment(`iptables backend: ${await iptablesBackend()}`);
  const hostBefore = normalizeIptablesSave(await iptablesSave());
  await iptablesIn({ netns: ns }, ['-A', 'INPUT', '-p', 'tcp', '--dport', '7777', '-j', 'DROP']);
  tt.match(await iptablesSave({ netns: ns }), /-A INPUT -p tcp -m tcp --dport 7777 -j DROP/);
  tt.equal(normalizeIptablesSave(await iptablesSave()), hostBefore, 'host rules unchanged');
});

t.test('deleteNetns removes it; names outside tm- are refused', async (tt) => {
  const name = `tm-t-${tag}-e`;
  await createNetns(name);
  tt.equal(await deleteNetns(name), true);
  tt.equal(await netnsExists(name), false);
  tt.equal(await deleteNetns(name), false, 'deleting twice is a no-op');
  await tt.rejects(deleteNetns('default'), /invalid netns name/);
  await tt.rejects(createNetns('tm-x; reboot'), /invalid netns name/);
});
