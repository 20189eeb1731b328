// A tiny CNI plugin for the private containerd (Debian bookworm ships containerd and runc but the
// reference plugins are another package): `tm-bridge` gives each pod netns a veth on a bridge in
// containerd's own netns (an address from a file-based allocator, a default route via the
// bridge), and `loopback` brings lo up. This Node binary runs it (the script is a constant; every
// value arrives through CNI's environment and config and is checked before it reaches `ip`;
// commands run with execFileSync and argument arrays, never a shell).
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const PLUGIN = String.raw`
'use strict';
const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const env = process.env;
const cmd = env.CNI_COMMAND || '';
const conf = cmd === 'VERSION' ? {} : JSON.parse(fs.readFileSync(0, 'utf8') || '{}');
const version = conf.cniVersion || '1.0.0';
const print = (o) => process.stdout.write(JSON.stringify(o));
const fail = (msg) => { print({ cniVersion: version, code: 100, msg }); process.exit(1); };
const need = (what, re, v) => (typeof v === 'string' && re.test(v) ? v : fail('invalid ' + what));
const run = (argv) => execFileSync(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const tryRun = (argv) => { try { run(argv); return true; } catch { return false; } };
const v4 = (ips) => (version.startsWith('0.') ? ips.map((i) => ({ version: '4', ...i })) : ips);

if (cmd === 'VERSION') {
  print({ cniVersion: '1.0.0', supportedVersions: ['0.3.0', '0.3.1', '0.4.0', '1.0.0'] });
  process.exit(0);
}
if (cmd === 'CHECK') process.exit(0);
const id = need('container id', /^[A-Za-z0-9_.-]{1,128}$/, env.CNI_CONTAINERID);
const netns = cmd === 'DEL' && !env.CNI_NETNS ? '' : need('netns', /^\/[A-Za-z0-9._/-]{1,300}$/, env.CNI_NETNS);
const ifname = need('ifname', /^[a-z0-9]{1,15}$/, env.CNI_IFNAME);
const inNs = (args) => run(['nsenter', '--net=' + netns, '--', 'ip', ...args]);

if (conf.type === 'loopback') {
  if (cmd === 'ADD') {
    inNs(['link', 'set', 'lo', 'up']);
    print({ cniVersion: version, interfaces: [{ name: 'lo', sandbox: netns }],
      ips: v4([{ address: '127.0.0.1/8', interface: 0 }]) });
  }
  process.exit(0);
}

const br = need('bridge', /^[a-z0-9]{1,15}$/, conf.bridge);
const subnet = need('subnet', /^\d{1,3}\.\d{1,3}\.\d{1,3}$/, conf.subnet);
const dataDir = need('dataDir', /^\/[A-Za-z0-9._/-]{1,300}$/, conf.dataDir);
const gw = subnet + '.1';
const host = 'tmv' + createHash('sha256').update(id).digest('hex').slice(0, 8);

function release() {
  for (const f of fs.readdirSync(dataDir)) {
    const p = path.join(dataDir, f);
    if (fs.readFileSync(p, 'utf8') === id) fs.rmSync(p, { force: true });
  }
}

function allocate() {
  for (let i = 2; i < 255; i++) {
    try {
      fs.writeFileSync(path.join(dataDir, subnet + '.' + i), id, { flag: 'wx' });
      return subnet + '.' + i;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
  }
  return fail('no free address in ' + subnet + '.0/24');
}

fs.mkdirSync(dataDir, { recursive: true });
if (cmd === 'DEL') {
  release();
  tryRun(['ip', 'link', 'del', host]);
  process.exit(0);
}
if (cmd !== 'ADD') fail('unsupported command ' + cmd);
if (!tryRun(['ip', 'link', 'show', br])) tryRun(['ip', 'link', 'add', br, 'type', 'bridge']);
tryRun(['ip', 'addr', 'add', gw + '/24', 'dev', br]);
run(['ip', 'link', 'set', br, 'up']);
release();
const addr = allocate();
tryRun(['ip', 'link', 'del', host]);
inNs(['link', 'add', ifname, 'type', 'veth', 'peer', 'name', host, 'netns', String(process.pid)]);
run(['ip', 'link', 'set', host, 'master', br]);
run(['ip', 'link', 'set', host, 'up']);
inNs(['addr', 'add', addr + '/24', 'dev', ifname]);
inNs(['link', 'set', ifname, 'up']);
inNs(['link', 'set', 'lo', 'up']);
inNs(['route', 'add', 'default', 'via', gw]);
const mac = JSON.parse(inNs(['-j', 'link', 'show', ifname]))[0].address;
print({
  cniVersion: version,
  interfaces: [{ name: br }, { name: host }, { name: ifname, mac, sandbox: netns }],
  ips: v4([{ address: addr + '/24', gateway: gw, interface: 2 }]),
  routes: [{ dst: '0.0.0.0/0', gw }],
  dns: {},
});
`;

export interface CniSetup {
  binDir: string;
  confDir: string;
  /** First three octets of the pods' /24 (the bridge is .1). */
  subnet: string;
}

/** Writes the plugin (as `tm-bridge` and `loopback`) and a conflist using it. */
export async function installCni(dir: string, subnet: string): Promise<CniSetup> {
  if (!/^\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(subnet)) throw new Error(`invalid subnet ${subnet}`);
  const binDir = join(dir, 'bin');
  const confDir = join(dir, 'conf');
  await mkdir(binDir, { recursive: true });
  await mkdir(confDir, { recursive: true });
  const script = `#!${process.execPath}\n${PLUGIN}`;
  for (const name of ['tm-bridge', 'loopback']) {
    await writeFile(join(binDir, name), script, { mode: 0o755 });
    await chmod(join(binDir, name), 0o755);
  }
  const conflist = {
    cniVersion: '1.0.0',
    name: 'tm-pods',
    plugins: [{ type: 'tm-bridge', bridge: 'tmcbr0', subnet, dataDir: join(dir, 'ipam') }],
  };
  await writeFile(join(confDir, '10-tm-pods.conflist'), `${JSON.stringify(conflist, null, 2)}\n`);
  return { binDir, confDir, subnet };
}
