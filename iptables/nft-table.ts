// With the nft backend, our first rule creates the `nat` table (and its OUTPUT base chain) in the
// namespace, and iptables cannot delete a table again. An empty table is inert, but it shows in
// iptables-save, so "remove leaves the netns exactly as it was" needs it gone: after removing our
// rules, a nat table holding nothing at all (no rules, no sets, no non-base chains, every base
// chain accepting) is deleted with `nft`. A table with anything in it is never touched. The legacy
// backend has no equivalent: its tables live as long as the namespace.
import { runInNetns, type NetnsTarget } from './exec.js';
import type { Family } from './options.js';

const BASE_CHAINS = new Set(['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING']);

type NftItem = Record<string, Record<string, unknown> | undefined>;

function isInertItem(item: NftItem): boolean {
  const keys = Object.keys(item);
  if (keys.length !== 1) return false;
  if (item.metainfo !== undefined || item.table !== undefined) return true;
  const chain = item.chain;
  if (chain === undefined) return false;
  return (
    typeof chain.name === 'string' &&
    BASE_CHAINS.has(chain.name) &&
    typeof chain.hook === 'string' &&
    chain.policy === 'accept'
  );
}

function items(json: string): NftItem[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  const list = (parsed as { nftables?: unknown } | null)?.nftables;
  if (!Array.isArray(list)) return undefined;
  return list.every((i) => typeof i === 'object' && i !== null) ? (list as NftItem[]) : undefined;
}

/** Pure: does `nft -j list table <fam> nat` output describe a table with nothing in it? */
export function isEmptyNatTable(json: string): boolean {
  return items(json)?.every(isInertItem) ?? false;
}

/** Pure: does `nft -j list tables <fam>` output list a table named nat? */
export function hasNatTable(json: string): boolean {
  return items(json)?.some((i) => i.table?.name === 'nat') ?? false;
}

/** Deletes the nft nat table of `family` when it is empty; true when it did. */
export async function dropEmptyNatTable(target: NetnsTarget, family: Family): Promise<boolean> {
  const fam = family === 'ipv6' ? 'ip6' : 'ip';
  const tables = await runInNetns(target, ['nft', '-j', 'list', 'tables', fam], {
    allowMissing: true,
  });
  if (tables.missing || !hasNatTable(tables.stdout)) return false;
  const table = await runInNetns(target, ['nft', '-j', 'list', 'table', fam, 'nat']);
  if (!isEmptyNatTable(table.stdout)) return false;
  await runInNetns(target, ['nft', 'delete', 'table', fam, 'nat']);
  return true;
}
