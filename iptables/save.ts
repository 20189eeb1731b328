// Reading `iptables-save` output (either backend prints the same format): tables, chains with
// their policy, rules per chain. Pure. Rule lines are kept verbatim (minus "-A <chain> ") so they
// can be compared with the builder's lines and fed back to `iptables-restore -D`.
import { OUR_CHAINS, type Rule } from './builder.js';

export const BUILTIN_CHAINS: readonly string[] = [
  'PREROUTING',
  'INPUT',
  'FORWARD',
  'OUTPUT',
  'POSTROUTING',
];

export interface TableState {
  /** Chain name → policy (`ACCEPT`, `DROP`, or `-` for user chains), in printed order. */
  chains: Map<string, string>;
  rules: Rule[];
}

export type SaveState = Map<string, TableState>;

const CHAIN_LINE = /^:(\S+) (\S+)/;

/** Splits a rule like a shell would for iptables' own quoting ("..." with \" escapes). */
export function tokenize(spec: string): string[] {
  const tokens: string[] = [];
  let cur = '';
  let quoted = false;
  let started = false;
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i] ?? '';
    if (quoted && c === '\\' && i + 1 < spec.length) {
      cur += spec[++i] ?? '';
    } else if (c === '"') {
      quoted = !quoted;
      started = true;
    } else if (c === ' ' && !quoted) {
      if (started) tokens.push(cur);
      cur = '';
      started = false;
    } else {
      cur += c;
      started = true;
    }
  }
  if (started) tokens.push(cur);
  return tokens;
}

/** The chain a rule jumps or goes to (`-j X` / `-g X`), if any. */
export function targetOf(spec: string): string | undefined {
  const t = tokenize(spec);
  const i = t.findIndex((tok) => tok === '-j' || tok === '-g');
  return i >= 0 ? t[i + 1] : undefined;
}

function addLine(table: TableState, line: string): void {
  const chain = CHAIN_LINE.exec(line);
  if (chain?.[1] !== undefined && chain[2] !== undefined) {
    table.chains.set(chain[1], chain[2]);
    return;
  }
  if (!line.startsWith('-A ')) return;
  const space = line.indexOf(' ', 3);
  if (space < 0) return;
  table.rules.push({ chain: line.slice(3, space), spec: line.slice(space + 1) });
}

export function parseSave(text: string): SaveState {
  const tables: SaveState = new Map();
  let current: TableState | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (line.startsWith('*')) {
      current = { chains: new Map(), rules: [] };
      tables.set(line.slice(1), current);
    } else if (line === 'COMMIT') {
      current = undefined;
    } else if (current !== undefined) {
      addLine(current, line);
    }
  }
  return tables;
}

/** Anything at all in a rule set: a rule, a user chain, or a built-in policy other than ACCEPT. */
export function hasAnyRules(state: SaveState): boolean {
  for (const table of state.values()) {
    if (table.rules.length > 0) return true;
    for (const [name, policy] of table.chains) {
      if (!BUILTIN_CHAINS.includes(name) || policy !== 'ACCEPT') return true;
    }
  }
  return false;
}

export function isOurChain(name: string | undefined): boolean {
  return name !== undefined && OUR_CHAINS.includes(name);
}

/** Our chains that exist in the nat table. */
export function ourChains(nat: TableState | undefined): string[] {
  return OUR_CHAINS.filter((c) => nat?.chains.has(c) === true);
}

/** Rules outside our chains that jump to one of them: the hook jumps, duplicates included. */
export function ourJumps(nat: TableState | undefined): Rule[] {
  return (nat?.rules ?? []).filter((r) => !isOurChain(r.chain) && isOurChain(targetOf(r.spec)));
}

export function hasOurRules(nat: TableState | undefined): boolean {
  return ourChains(nat).length > 0 || ourJumps(nat).length > 0;
}

/**
 * `iptables-restore --noflush` lines (inside `*nat`) deleting exactly what is ours: every jump to
 * our chains (one `-D` per copy), then our chains (flush first, so they can reference each other).
 */
export function removalLines(nat: TableState | undefined): string[] {
  const chains = ourChains(nat);
  return [
    ...ourJumps(nat).map((r) => `-D ${r.chain} ${r.spec}`),
    ...chains.map((c) => `-F ${c}`),
    ...chains.map((c) => `-X ${c}`),
  ];
}
