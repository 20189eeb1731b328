// nft or legacy? Both backends keep separate rule sets per network namespace and both are live at
// once, so capture rules must go where the namespace's other rules already are (ours first,
// then anybody's); an empty namespace gets the host's default (`iptables --version`).
import { TrafficError } from '../lib/errors.js';
import { runHere, runInNetns, toolName, type Backend, type NetnsTarget } from './exec.js';
import type { Family } from './options.js';
import { hasAnyRules, hasOurRules, parseSave, type SaveState } from './save.js';

export type { Backend };

export const BACKENDS: readonly Backend[] = ['nft', 'legacy'];
export const FAMILIES: readonly Family[] = ['ipv4', 'ipv6'];

export type BackendStates = Record<Backend, Partial<Record<Family, SaveState>>>;

let hostDefault: Promise<Backend> | undefined;

/** `iptables --version` prints "(nf_tables)" or "(legacy)"; cached per process once known. */
export function hostBackend(): Promise<Backend> {
  if (hostDefault) return hostDefault;
  const probe = runHere(['iptables', '--version']).then((out): Backend => {
    if (out.includes('(nf_tables)')) return 'nft';
    if (out.includes('(legacy)')) return 'legacy';
    throw new TrafficError('TM_IPTABLES', `unknown iptables backend: ${out.trim()}`);
  });
  hostDefault = probe;
  probe.catch(() => {
    hostDefault = undefined; // not cached: the next call asks again
  });
  return probe;
}

/** One backend's rule set for one family; empty when that backend's tools are not installed. */
export async function readSave(
  target: NetnsTarget,
  backend: Backend,
  family: Family,
): Promise<SaveState> {
  const r = await runInNetns(target, [toolName(backend, family, 'save')], { allowMissing: true });
  return parseSave(r.stdout);
}

/** Every backend's rule sets for `families`, read in parallel. */
export async function readAllSaves(
  target: NetnsTarget,
  families: readonly Family[],
): Promise<BackendStates> {
  const states: BackendStates = { nft: {}, legacy: {} };
  await Promise.all(
    BACKENDS.flatMap((b) =>
      families.map(async (f) => {
        states[b][f] = await readSave(target, b, f);
      }),
    ),
  );
  return states;
}

function any(states: BackendStates, b: Backend, test: (s: SaveState) => boolean): boolean {
  return Object.values(states[b]).some((s) => s !== undefined && test(s));
}

/** Pure choice: the backend holding our rules, else the one holding any rules, else `fallback`. */
export function chooseBackend(states: BackendStates, fallback: Backend): Backend {
  const tests = [(s: SaveState) => hasOurRules(s.get('nat')), hasAnyRules];
  for (const test of tests) {
    const found = BACKENDS.filter((b) => any(states, b, test));
    const [only] = found;
    if (found.length === 1 && only !== undefined) return only;
    if (found.length > 1) return fallback;
  }
  return fallback;
}

/** Which backend to use in the netns of `target` (see the file comment). */
export async function detectBackend(target: NetnsTarget): Promise<Backend> {
  const [states, fallback] = await Promise.all([readAllSaves(target, FAMILIES), hostBackend()]);
  return chooseBackend(states, fallback);
}
