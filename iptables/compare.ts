// Pure comparison of a nat table (as read back from iptables-save) with the rules the builder
// would write. Problems are one line each, starting with "missing" when something is absent,
// so a caller can tell a fresh install from a repair.
import { OUR_CHAINS, captureRuleSet, renderRule, type Rule } from './builder.js';
import type { CaptureOptions, Family } from './options.js';
import { ourJumps, targetOf, type TableState } from './save.js';

function counts(lines: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) m.set(l, (m.get(l) ?? 0) + 1);
  return m;
}

/** Problems in one of our chains: missing, duplicated, unexpected or reordered rules. */
function compareChain(chain: string, want: string[], have: string[]): string[] {
  const wanted = counts(want);
  const had = counts(have);
  const problems: string[] = [];
  for (const [line, n] of wanted) {
    if ((had.get(line) ?? 0) < n) problems.push(`missing rule: ${line}`);
  }
  for (const [line, n] of had) {
    const w = wanted.get(line) ?? 0;
    if (w === 0) problems.push(`unexpected rule in ${chain}: ${line}`);
    else if (n > w) problems.push(`duplicated rule in ${chain}: ${line} (${n})`);
  }
  if (problems.length === 0 && want.join('\n') !== have.join('\n')) {
    problems.push(`rules out of order in ${chain}`);
  }
  return problems;
}

function compareChains(nat: TableState | undefined, want: Rule[], chains: string[]): string[] {
  const problems: string[] = [];
  for (const chain of OUR_CHAINS) {
    const present = nat?.chains.has(chain) === true;
    const expected = chains.includes(chain);
    if (expected && !present) problems.push(`missing chain ${chain}`);
    if (!expected && present) problems.push(`unexpected chain ${chain}`);
    if (!expected || !present) continue;
    const lines = (rules: Rule[]): string[] =>
      rules.filter((r) => r.chain === chain).map(renderRule);
    problems.push(...compareChain(chain, lines(want), lines(nat?.rules ?? [])));
  }
  return problems;
}

/** The hook jumps: exactly one copy of each expected jump, and no other jump to our chains. */
function compareJumps(nat: TableState | undefined, want: Rule[]): string[] {
  const problems: string[] = [];
  const have = ourJumps(nat);
  for (const j of want) {
    const n = have.filter((h) => h.chain === j.chain && h.spec === j.spec).length;
    if (n === 0) problems.push(`missing rule: ${renderRule(j)}`);
    if (n > 1) problems.push(`duplicated jump ${j.chain} -> ${targetOf(j.spec) ?? '?'} (${n})`);
  }
  for (const h of have) {
    if (!want.some((j) => j.chain === h.chain && j.spec === h.spec)) {
      problems.push(`unexpected rule in ${h.chain}: ${renderRule(h)}`);
    }
  }
  return problems;
}

/** Every difference between `nat` and the capture rules for `o` (empty = exactly right). */
export function compareNat(
  nat: TableState | undefined,
  o: CaptureOptions,
  family: Family,
): string[] {
  const set = captureRuleSet(o, family);
  return [...compareChains(nat, set.rules, set.chains), ...compareJumps(nat, set.jumps)];
}
