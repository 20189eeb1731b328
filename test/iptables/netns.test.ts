// applyCapture / verifyCapture / removeCapture / detectBackend against real iptables, in network
// namespaces this file creates (tm-ipt-*), once per backend (nft and legacy). Needs root: without
// it the file fails, it is never skipped.
import { randomBytes } from 'node:crypto';
import t, { type Test } from 'tap';
import {
  DEFAULT_CAPTURE,
  applyCapture,
  buildCaptureRules,
  detectBackend,
  expectedRuleLines,
  removeCapture,
  validateCaptureOptions,
  verifyCapture,
  type Backend,
  type CaptureOptions,
  type Family,
} from '../../iptables/index.js';
import { parseSave, removalLines } from '../../iptables/save.js';
import { normalizeIptablesSave } from '../harness/iptables.js';
import { createNetns, deleteNetns, execInNetns, run } from '../harness/netns.js';

if (process.getuid?.() !== 0) throw new Error('this test needs root: it runs real iptables');

const runId = randomBytes(3).toString('hex');
const BOTH: Family[] = ['ipv4', 'ipv6'];

function tool(backend: Backend, family: Family, suffix = ''): string {
  return `${family === 'ipv6' ? 'ip6tables' : 'iptables'}-${backend}${suffix}`;
}

interface Ns {
  name: string;
  target: { path: string };
  ipt(backend: Backend, family: Family, args: string[]): Promise<void>;
  save(backend: Backend, family: Family): Promise<string>;
  saves(backend: Backend): Promise<Record<Family, string>>;
}

async function netns(t: Test, tag: string): Promise<Ns> {
  const name = `tm-ipt-${runId}-${tag}`;
  await createNetns(name);
  t.teardown(() => deleteNetns(name));
  const save = async (backend: Backend, family: Family): Promise<string> =>
    normalizeIptablesSave(
      (await execInNetns({ netns: name }, [tool(backend, family, '-save')])).stdout,
    );
  return {
    name,
    target: { path: `/run/netns/${name}` },
    ipt: async (backend, family, args) => {
      await execInNetns({ netns: name }, [tool(backend, family), '-w', '5', ...args]);
    },
    save,
    saves: async (backend) => ({
      ipv4: await save(backend, 'ipv4'),
      ipv6: await save(backend, 'ipv6'),
    }),
  };
}

/** Rules that are not ours, in nat (OUTPUT, a user chain) and filter: all must survive. */
async function addForeignRules(ns: Ns, backend: Backend): Promise<void> {
  for (const f of BOTH) {
    await ns.ipt(backend, f, ['-t', 'nat', '-N', 'FOREIGN']);
    await ns.ipt(backend, f, [
      '-t',
      'nat',
      '-A',
      'FOREIGN',
      '-p',
      'tcp',
      '--dport',
      '5000',
      '-j',
      'RETURN',
    ]);
    await ns.ipt(backend, f, [
      '-t',
      'nat',
      '-A',
      'OUTPUT',
      '-p',
      'udp',
      '--dport',
      '5353',
      '-j',
      'RETURN',
    ]);
    await ns.ipt(backend, f, ['-t', 'nat', '-A', 'OUTPUT', '-j', 'FOREIGN']);
    await ns.ipt(backend, f, [
      '-t',
      'filter',
      '-A',
      'OUTPUT',
      '-p',
      'tcp',
      '--dport',
      '9999',
      '-j',
      'ACCEPT',
    ]);
  }
}

function opts(o: Partial<CaptureOptions>): CaptureOptions {
  const v = validateCaptureOptions(o);
  if (!v.valid) throw new Error(v.errors.join('; '));
  return v.result;
}

/** Many printed forms at once: >15 ports, odd IPv6 text, /0, bare addresses, inbound capture. */
const COMPLEX = opts({
  capturePort: 15001,
  adminPort: 15000,
  proxyUid: 2102,
  proxyGid: 0,
  excludeOutboundPorts: Array.from({ length: 17 }, (_, i) => 20 + i * 3),
  excludeOutboundCidrs: [
    '169.254.169.254',
    '10.1.2.3/8',
    'FD00::1/8',
    '::ffff:10.0.0.0/104',
    '::10.0.0.1',
  ],
  includeOutboundCidrs: [
    '192.168.0.0/16',
    '2001:db8:0:0:1:0:0:1',
    '2001:db8:0:1::/64',
    '0:0:0:0:0:1:0:0',
  ],
  inboundCapture: true,
  inboundPort: 15006,
  excludeInboundPorts: [22, 15090, 15021],
});

function ourLines(saved: string): string[] {
  return saved.split('\n').filter((l) => l.includes('TRAFFIC_'));
}

/** Exactly our expected rules (and chain declarations) are present, nothing else of ours. */
function checkOurs(t: Test, saved: string, o: CaptureOptions, family: Family): void {
  const want = expectedRuleLines(o, family);
  const chains = o.inboundCapture ? 4 : 2;
  const mine = ourLines(saved);
  t.equal(
    mine.filter((l) => l.startsWith(':')).length,
    chains,
    `${family}: ${chains} chains declared`,
  );
  t.same(
    mine.filter((l) => l.startsWith('-A ')).sort(),
    [...want].sort(),
    `${family}: iptables-save prints exactly the builder's lines`,
  );
}

function keepsForeign(t: Test, before: string, after: string, what: string): void {
  const foreign = before.split('\n').filter((l) => !l.startsWith(':') && !l.includes('TRAFFIC_'));
  const missing = foreign.filter((l) => !after.split('\n').includes(l));
  t.same(missing, [], `${what}: every foreign line survives`);
}

for (const backend of ['nft', 'legacy'] as const) {
  const other: Backend = backend === 'nft' ? 'legacy' : 'nft';
  t.test(`${backend} backend: apply, verify, repair, remove`, async (t) => {
    const ns = await netns(t, backend === 'nft' ? 'n' : 'l');
    await addForeignRules(ns, backend);
    t.equal(await detectBackend(ns.target), backend, 'detectBackend picks the backend with rules');
    const before = await ns.saves(backend);
    const otherBefore = await ns.saves(other);

    await applyCapture(ns.target, DEFAULT_CAPTURE, BOTH);
    const applied = await ns.saves(backend);
    for (const f of BOTH) {
      checkOurs(t, applied[f], DEFAULT_CAPTURE, f);
      keepsForeign(t, before[f], applied[f], `apply ${f}`);
    }
    t.same(await ns.saves(other), otherBefore, `nothing written to ${other}`);
    t.equal(await detectBackend(ns.target), backend, 'still the same backend once ours are in');

    await applyCapture(ns.target, DEFAULT_CAPTURE, BOTH);
    t.same(await ns.saves(backend), applied, 'apply twice: identical rule set, no duplicates');
    t.same(await verifyCapture(ns.target, DEFAULT_CAPTURE, BOTH), { ok: true, problems: [] });

    await ns.ipt(backend, 'ipv4', [
      '-t',
      'nat',
      '-A',
      'OUTPUT',
      '-p',
      'tcp',
      '-j',
      'TRAFFIC_OUTPUT',
    ]);
    await ns.ipt(backend, 'ipv4', [
      '-t',
      'nat',
      '-D',
      'TRAFFIC_OUTPUT',
      '-o',
      'lo',
      '-j',
      'RETURN',
    ]);
    await ns.ipt(backend, 'ipv6', ['-t', 'nat', '-I', 'TRAFFIC_OUTPUT', '1', '-j', 'RETURN']);
    t.same(await verifyCapture(ns.target, DEFAULT_CAPTURE, BOTH), {
      ok: false,
      problems: [
        'missing rule: -A TRAFFIC_OUTPUT -o lo -j RETURN',
        'duplicated jump OUTPUT -> TRAFFIC_OUTPUT (2)',
        'unexpected rule in TRAFFIC_OUTPUT: -A TRAFFIC_OUTPUT -j RETURN [ipv6]',
      ],
    });
    await applyCapture(ns.target, DEFAULT_CAPTURE, BOTH);
    t.same(
      await verifyCapture(ns.target, DEFAULT_CAPTURE, BOTH),
      { ok: true, problems: [] },
      'repaired',
    );
    t.same(await ns.saves(backend), applied, 'repair gives the same rule set as a clean apply');

    await applyCapture(ns.target, COMPLEX, BOTH);
    t.same(
      await verifyCapture(ns.target, COMPLEX, BOTH),
      { ok: true, problems: [] },
      'complex options verify',
    );
    const complex = await ns.saves(backend);
    for (const f of BOTH) checkOurs(t, complex[f], COMPLEX, f);
    const v = await verifyCapture(ns.target, DEFAULT_CAPTURE, ['ipv4']);
    t.ok(
      v.problems.includes('unexpected chain TRAFFIC_INBOUND'),
      'verify against other options fails',
    );
    await applyCapture(ns.target, DEFAULT_CAPTURE, BOTH);
    t.same(
      await ns.saves(backend),
      applied,
      'back to the defaults: inbound chains and extra rules gone',
    );

    t.same(await removeCapture(ns.target, BOTH), { removed: true });
    t.same(await ns.saves(backend), before, 'remove: iptables-save identical to before apply');
    t.same(await removeCapture(ns.target, BOTH), { removed: false }, 'remove twice: a no-op');
    t.same(await ns.saves(backend), before, 'still identical');
    const gone = await verifyCapture(ns.target, DEFAULT_CAPTURE, BOTH);
    t.equal(gone.ok, false);
    t.ok(
      gone.problems.length > 0 && gone.problems.every((p) => p.startsWith('missing')),
      'all missing',
    );
  });
}

t.test('an empty netns: host default backend, and remove leaves nothing behind', async (t) => {
  const ns = await netns(t, 'e');
  const version = (await run(['iptables', '--version'])).stdout;
  const host: Backend = version.includes('(nf_tables)') ? 'nft' : 'legacy';
  t.equal(await detectBackend(ns.target), host, `host default (${version.trim()})`);
  const before = await ns.saves(host);
  await applyCapture(ns.target, DEFAULT_CAPTURE, BOTH);
  t.same(await verifyCapture(ns.target, DEFAULT_CAPTURE, BOTH), { ok: true, problems: [] });
  t.same(await removeCapture(ns.target, BOTH), { removed: true });
  if (host === 'nft')
    t.same(await ns.saves(host), before, 'nft: even the nat table we created is gone');
  else t.same(ourLines((await ns.saves(host)).ipv4), [], 'legacy: nothing of ours left');
});

t.test('a removal interrupted before the empty nat table was dropped is finished', async (t) => {
  const ns = await netns(t, 'i');
  const before = await ns.saves('nft');
  await applyCapture(ns.target, DEFAULT_CAPTURE, ['ipv4']);
  // What an agent killed between the two steps of a removal leaves: our rules deleted, the
  // (now empty) nat table they created still there.
  const saved = await ns.save('nft', 'ipv4');
  const deletes = removalLines(parseSave(saved).get('nat'));
  await execInNetns({ netns: ns.name }, ['iptables-nft-restore', '-w', '5', '--noflush'], {
    input: ['*nat', ...deletes, 'COMMIT', ''].join('\n'),
  });
  t.not((await ns.saves('nft')).ipv4, before.ipv4, 'an empty nat table is left');
  t.same(await removeCapture(ns.target, ['ipv4']), { removed: true }, 'the next removal drops it');
  t.same(await ns.saves('nft'), before, 'the netns is as it was');
  t.same(await removeCapture(ns.target, ['ipv4']), { removed: false }, 'then a no-op');
});

t.test('a stale copy of our rules in the other backend is reported and removed', async (t) => {
  const ns = await netns(t, 's');
  await addForeignRules(ns, 'nft');
  await applyCapture(ns.target, DEFAULT_CAPTURE, ['ipv4']);
  await execInNetns({ netns: ns.name }, ['iptables-legacy-restore', '-w', '5', '--noflush'], {
    input: buildCaptureRules(DEFAULT_CAPTURE, 'ipv4'),
  });
  t.equal(await detectBackend(ns.target), 'nft', 'ours in both: the host default (nft) wins');
  t.same(await verifyCapture(ns.target, DEFAULT_CAPTURE, ['ipv4']), {
    ok: false,
    problems: ['our rules also in the legacy backend'],
  });
  await applyCapture(ns.target, DEFAULT_CAPTURE, ['ipv4']);
  t.same(ourLines(await ns.save('legacy', 'ipv4')), [], 'legacy copy removed by apply');
  t.same(await verifyCapture(ns.target, DEFAULT_CAPTURE, ['ipv4']), { ok: true, problems: [] });
  await execInNetns({ netns: ns.name }, ['iptables-legacy-restore', '-w', '5', '--noflush'], {
    input: buildCaptureRules(DEFAULT_CAPTURE, 'ipv4'),
  });
  t.same(await removeCapture(ns.target, ['ipv4']), { removed: true });
  t.same(ourLines(await ns.save('legacy', 'ipv4')), [], 'remove clears both backends');
  t.same(ourLines(await ns.save('nft', 'ipv4')), []);
});

t.test('errors are typed and nothing is touched', async (t) => {
  const ns = await netns(t, 'x');
  await addForeignRules(ns, 'nft');
  const before = await ns.saves('nft');
  await t.rejects(applyCapture(ns.target, { ...DEFAULT_CAPTURE, capturePort: 0 }, BOTH), {
    code: 'TM_INVALID_ARGUMENT',
  });
  await t.rejects(applyCapture(ns.target, DEFAULT_CAPTURE, ['ipv5' as Family]), {
    code: 'TM_INVALID_ARGUMENT',
  });
  await t.rejects(verifyCapture({ pid: 0 }, DEFAULT_CAPTURE, BOTH), {
    code: 'TM_INVALID_ARGUMENT',
  });
  await t.rejects(removeCapture({ path: '/run/netns/../netns/x' }, BOTH), {
    code: 'TM_INVALID_ARGUMENT',
  });
  await t.rejects(
    verifyCapture({ path: `/run/netns/tm-ipt-${runId}-missing` }, DEFAULT_CAPTURE, BOTH),
    {
      code: 'TM_NOT_FOUND',
    },
  );
  t.same(await ns.saves('nft'), before, 'foreign rules untouched by refused calls');
});
