// Apply, remove and verify the capture rules inside a network namespace. Every operation reads
// the rule set first (both backends, iptables-save) and then writes one atomic
// `iptables-restore --noflush` transaction per family that names only our chains and our jumps:
// rules that are not ours are never flushed, reordered or deleted. Apply = remove our previous
// copy (every duplicate) + install, in the same transaction, so a re-apply never leaves a window
// without capture and a crash at any point converges on the next call.
import { InvalidArgumentError } from '../lib/errors.js';
import {
  BACKENDS,
  FAMILIES,
  chooseBackend,
  hostBackend,
  readAllSaves,
  readSave,
} from './backend.js';
import type { Backend, BackendStates } from './backend.js';
import { captureBody } from './builder.js';
import { compareNat } from './compare.js';
import { runInNetns, toolName, type NetnsTarget } from './exec.js';
import { dropEmptyNatTable } from './nft-table.js';
import type { CaptureOptions, Family } from './options.js';
import { hasOurRules, removalLines, type TableState } from './save.js';

export type { NetnsTarget };

/** A restore that fails (e.g. a rule changed between read and write) is retried on a fresh read. */
const ATTEMPTS = 3;

/** Validated, deduplicated, in a fixed order (ipv4 first). */
export function checkFamilies(families: readonly Family[]): Family[] {
  const list: unknown = families;
  if (!Array.isArray(list) || !list.every((f: unknown) => FAMILIES.some((x) => x === f))) {
    throw new InvalidArgumentError(`invalid families: ${JSON.stringify(list)}`);
  }
  return FAMILIES.filter((f) => families.includes(f));
}

function natOf(states: BackendStates, b: Backend, f: Family): TableState | undefined {
  return states[b][f]?.get('nat');
}

async function restore(target: NetnsTarget, b: Backend, f: Family, lines: string[]): Promise<void> {
  const input = ['*nat', ...lines, 'COMMIT', ''].join('\n');
  const argv: [string, ...string[]] = [toolName(b, f, 'restore'), '-w', '5', '--noflush'];
  await runInNetns(target, argv, { input });
}

/**
 * Writes `build(current nat table)` (skipped when it returns undefined), re-reading the table and
 * rebuilding on failure. Returns whether anything was written.
 */
async function writeWithRetry(
  target: NetnsTarget,
  b: Backend,
  f: Family,
  first: TableState | undefined,
  build: (nat: TableState | undefined) => string[] | undefined,
): Promise<boolean> {
  let nat = first;
  for (let attempt = 1; ; attempt++) {
    const lines = build(nat);
    if (lines === undefined) return false;
    try {
      await restore(target, b, f, lines);
      return true;
    } catch (err) {
      if (attempt >= ATTEMPTS) throw err;
      nat = (await readSave(target, b, f)).get('nat');
    }
  }
}

function removeOurs(nat: TableState | undefined): string[] | undefined {
  return hasOurRules(nat) ? removalLines(nat) : undefined;
}

/** Installs (or reinstalls) the capture rules for each family; idempotent. */
export async function applyCapture(
  target: NetnsTarget,
  o: CaptureOptions,
  families: Family[],
): Promise<void> {
  const fams = checkFamilies(families);
  // Build first: invalid options throw before anything is read or written.
  const bodies = new Map(fams.map((f) => [f, captureBody(o, f)]));
  const [states, fallback] = await Promise.all([readAllSaves(target, FAMILIES), hostBackend()]);
  const backend = chooseBackend(states, fallback);
  for (const f of fams) {
    const body = bodies.get(f) ?? [];
    await writeWithRetry(target, backend, f, natOf(states, backend, f), (nat) => [
      ...removalLines(nat),
      ...body,
    ]);
    for (const other of BACKENDS.filter((x) => x !== backend)) {
      await writeWithRetry(target, other, f, natOf(states, other, f), removeOurs);
    }
  }
}

/**
 * Deletes our jumps (all copies) and chains from every backend, and an nft nat table left with
 * nothing in it; a no-op when there are none.
 */
export async function removeCapture(
  target: NetnsTarget,
  families: Family[],
): Promise<{ removed: boolean }> {
  const fams = checkFamilies(families);
  const states = await readAllSaves(target, fams);
  let removed = false;
  for (const b of BACKENDS) {
    for (const f of fams) {
      if (await writeWithRetry(target, b, f, natOf(states, b, f), removeOurs)) removed = true;
      // Also when our rules were already gone: a remover that crashed between deleting them and
      // dropping the table it left (an agent SIGKILLed mid-removal) leaves an empty nat table.
      if (b === 'nft' && (await dropEmptyNatTable(target, f))) removed = true;
    }
  }
  return { removed };
}

/** Compares the rules in the netns with the expected ones; `problems` lists every difference. */
export async function verifyCapture(
  target: NetnsTarget,
  o: CaptureOptions,
  families: Family[],
): Promise<{ ok: boolean; problems: string[] }> {
  const fams = checkFamilies(families);
  fams.forEach((f) => captureBody(o, f)); // validates o
  const [states, fallback] = await Promise.all([readAllSaves(target, FAMILIES), hostBackend()]);
  const backend = chooseBackend(states, fallback);
  const problems: string[] = [];
  for (const f of fams) {
    const suffix = f === 'ipv6' ? ' [ipv6]' : '';
    const found = compareNat(natOf(states, backend, f), o, f);
    for (const other of BACKENDS.filter((x) => x !== backend)) {
      if (hasOurRules(natOf(states, other, f)))
        found.push(`our rules also in the ${other} backend`);
    }
    problems.push(...found.map((p) => `${p}${suffix}`));
  }
  return { ok: problems.length === 0, problems };
}

/** Does the netns have a global IPv6 address (`ip -6 addr show scope global`)? */
export async function netnsHasIpv6(target: NetnsTarget): Promise<boolean> {
  const r = await runInNetns(target, ['ip', '-6', '-o', 'addr', 'show', 'scope', 'global']);
  return r.stdout.trim() !== '';
}
