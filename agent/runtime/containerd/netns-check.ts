// Is the pid CRI reports really in the sandbox's network namespace? Two cheap checks on /proc
// (Istio's node agent does the same): /proc/<pid>/ns/net is the same inode as the netns bind
// mount, and the sandbox IP is a local address there (/proc/<pid>/net/fib_trie, if_inet6).
// A file the agent cannot read (no hostPath for /run/netns, say) skips that check.
import { readFile, stat } from 'node:fs/promises';
import { isIPv4, isIPv6 } from 'node:net';

type Inode = { dev: number; ino: number } | 'denied' | undefined;

/**
 * The file's device and inode; 'denied' when it exists but may not be looked at (the kernel
 * gates /proc/<pid>/ns/* of another uid's process behind CAP_SYS_PTRACE, which the agent does not
 * have by default); undefined when it does not exist.
 */
async function inode(path: string): Promise<Inode> {
  try {
    const s = await stat(path);
    return { dev: s.dev, ino: s.ino };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EACCES' || code === 'EPERM' ? 'denied' : undefined;
  }
}

/** True when `ip` is a local (/32 host LOCAL) IPv4 address in the fib_trie text. */
export function fibHasLocal(fibTrie: string, ip: string): boolean {
  const lines = fibTrie.split('\n');
  return lines.some(
    (l, i) => l.trim() === `|-- ${ip}` && /\/32 host LOCAL/.test(lines[i + 1] ?? ''),
  );
}

/** `fe80::1` → 32 hex digits, as /proc/net/if_inet6 writes addresses. */
export function expandIpv6(ip: string): string {
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const h = head === '' ? [] : head.split(':');
  const t = ip.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const fill = Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => g.padStart(4, '0')).join('');
}

async function ipIsLocal(pid: number, ip: string): Promise<boolean | undefined> {
  const file = isIPv4(ip) ? 'fib_trie' : 'if_inet6';
  const text = await readFile(`/proc/${pid}/net/${file}`, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  if (isIPv4(ip)) return fibHasLocal(text, ip);
  const hex = expandIpv6(ip);
  return text.split('\n').some((l) => l.startsWith(hex));
}

/** A sentence saying what does not match, or undefined when everything checked agrees. */
export async function checkNetns(d: {
  pid: number;
  netnsPath: string;
  ip: string;
}): Promise<string | undefined> {
  const proc = await inode(`/proc/${d.pid}/ns/net`);
  if (!proc) return `process ${d.pid} is gone`;
  const mount = d.netnsPath.startsWith('/proc/') ? undefined : await inode(d.netnsPath);
  const both = proc !== 'denied' && mount !== undefined && mount !== 'denied';
  if (both && (mount.ino !== proc.ino || mount.dev !== proc.dev)) {
    return `process ${d.pid} is not in the network namespace ${d.netnsPath}`;
  }
  if (d.ip && (isIPv4(d.ip) || isIPv6(d.ip)) && (await ipIsLocal(d.pid, d.ip)) === false) {
    return `the sandbox IP ${d.ip} is not an address of process ${d.pid}'s network namespace`;
  }
  return undefined;
}
