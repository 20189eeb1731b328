// iptables inside a network namespace, with the backend (nf_tables or legacy) the host's
// `iptables` uses. Both backends keep separate rule sets per network namespace.
import { execInNetns, run } from './netns.js';
import type { ExecResult, NetnsTarget } from './netns.js';

export type IptablesBackend = 'nft' | 'legacy';

let detected: Promise<IptablesBackend> | undefined;

/** `iptables --version` prints `(nf_tables)` or `(legacy)`; cached per process. */
export function iptablesBackend(): Promise<IptablesBackend> {
  detected ??= run(['iptables', '--version']).then((r) => {
    if (r.stdout.includes('(nf_tables)')) return 'nft';
    if (r.stdout.includes('(legacy)')) return 'legacy';
    throw new Error(`unknown iptables backend: ${r.stdout.trim()}`);
  });
  return detected;
}

async function binaries(): Promise<{ iptables: string; save: string }> {
  const b = await iptablesBackend();
  return { iptables: `iptables-${b}`, save: `iptables-${b}-save` };
}

/** iptables-save output of `target`'s netns, or of the host's (this process's) when omitted. */
export async function iptablesSave(target?: NetnsTarget): Promise<string> {
  const { save } = await binaries();
  const r = target === undefined ? await run([save]) : await execInNetns(target, [save]);
  return r.stdout;
}

/** Runs `iptables -w 5 <args>` in `target`'s netns. */
export async function iptablesIn(target: NetnsTarget, args: string[]): Promise<ExecResult> {
  const { iptables } = await binaries();
  return execInNetns(target, [iptables, '-w', '5', ...args]);
}

/** iptables-save text without comments and packet counters, for before/after comparisons. */
export function normalizeIptablesSave(text: string): string {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.replace(/\[\d+:\d+\]/g, '[0:0]'))
    .join('\n');
}
