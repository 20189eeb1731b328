// The builder: golden rule texts (byte for byte), its typed refusals, and properties over
// arbitrary valid (and invalid) options.
import fc from 'fast-check';
import t from 'tap';
import {
  CHAINS,
  DEFAULT_CAPTURE,
  buildCaptureRules,
  expectedRuleLines,
  validateCaptureOptions,
  type CaptureOptions,
  type Family,
} from '../../iptables/index.js';
import { parseCidr } from '../../iptables/cidr.js';
import { hasCode } from '../../lib/errors.js';

function opts(o: Partial<CaptureOptions>): CaptureOptions {
  const v = validateCaptureOptions(o);
  if (!v.valid) throw new Error(v.errors.join('; '));
  return v.result;
}

const lines = (...l: string[]): string => [...l, ''].join('\n');

t.test('golden: defaults, ipv4', async (t) => {
  t.equal(
    buildCaptureRules(DEFAULT_CAPTURE, 'ipv4'),
    lines(
      '*nat',
      '-N TRAFFIC_OUTPUT',
      '-N TRAFFIC_REDIRECT',
      '-A TRAFFIC_OUTPUT -p tcp -m tcp --dport 8900 -j RETURN',
      '-A TRAFFIC_OUTPUT -m owner --uid-owner 1337 -j RETURN',
      '-A TRAFFIC_OUTPUT -m owner --gid-owner 1337 -j RETURN',
      '-A TRAFFIC_OUTPUT -d 127.0.0.1/32 -j RETURN',
      '-A TRAFFIC_OUTPUT -o lo -j RETURN',
      '-A TRAFFIC_OUTPUT -j TRAFFIC_REDIRECT',
      '-A TRAFFIC_REDIRECT -p tcp -j REDIRECT --to-ports 10000',
      '-A OUTPUT -p tcp -j TRAFFIC_OUTPUT',
      'COMMIT',
    ),
  );
});

t.test('golden: defaults, ipv6', async (t) => {
  t.equal(
    buildCaptureRules(DEFAULT_CAPTURE, 'ipv6'),
    lines(
      '*nat',
      '-N TRAFFIC_OUTPUT',
      '-N TRAFFIC_REDIRECT',
      '-A TRAFFIC_OUTPUT -p tcp -m tcp --dport 8900 -j RETURN',
      '-A TRAFFIC_OUTPUT -m owner --uid-owner 1337 -j RETURN',
      '-A TRAFFIC_OUTPUT -m owner --gid-owner 1337 -j RETURN',
      '-A TRAFFIC_OUTPUT -d ::1/128 -j RETURN',
      '-A TRAFFIC_OUTPUT -o lo -j RETURN',
      '-A TRAFFIC_OUTPUT -j TRAFFIC_REDIRECT',
      '-A TRAFFIC_REDIRECT -p tcp -j REDIRECT --to-ports 10000',
      '-A OUTPUT -p tcp -j TRAFFIC_OUTPUT',
      'COMMIT',
    ),
  );
});

const common = [22, 25, 80, 443, 3306, 5432, 6379, 8080, 8443, 9000, 9090, 9200, 9300, 11211];

t.test(
  'golden: excluded ports (>15 → several multiport rules), excluded and included CIDRs',
  async (t) => {
    const o = opts({
      capturePort: 15001,
      proxyUid: 2102,
      proxyGid: 2103,
      adminPort: 15000,
      // unsorted, with a duplicate: normalised to 17 sorted unique ports
      excludeOutboundPorts: [...common, 27017, 1, 65535, 80],
      excludeOutboundCidrs: ['169.254.169.254', '10.1.2.3/8'],
      includeOutboundCidrs: ['10.0.0.0/8', '192.168.0.0/16'],
    });
    t.same(o.excludeOutboundPorts.length, 17);
    t.equal(
      buildCaptureRules(o, 'ipv4'),
      lines(
        '*nat',
        '-N TRAFFIC_OUTPUT',
        '-N TRAFFIC_REDIRECT',
        '-A TRAFFIC_OUTPUT -p tcp -m multiport --dports 1,22,25,80,443,3306,5432,6379,8080,8443,9000,9090,9200,9300,11211 -j RETURN',
        '-A TRAFFIC_OUTPUT -p tcp -m multiport --dports 27017,65535 -j RETURN',
        '-A TRAFFIC_OUTPUT -p tcp -m tcp --dport 15000 -j RETURN',
        '-A TRAFFIC_OUTPUT -m owner --uid-owner 2102 -j RETURN',
        '-A TRAFFIC_OUTPUT -m owner --gid-owner 2103 -j RETURN',
        '-A TRAFFIC_OUTPUT -d 127.0.0.1/32 -j RETURN',
        '-A TRAFFIC_OUTPUT -o lo -j RETURN',
        '-A TRAFFIC_OUTPUT -d 169.254.169.254/32 -j RETURN',
        '-A TRAFFIC_OUTPUT -d 10.0.0.0/8 -j RETURN',
        '-A TRAFFIC_OUTPUT -d 10.0.0.0/8 -j TRAFFIC_REDIRECT',
        '-A TRAFFIC_OUTPUT -d 192.168.0.0/16 -j TRAFFIC_REDIRECT',
        '-A TRAFFIC_REDIRECT -p tcp -j REDIRECT --to-ports 15001',
        '-A OUTPUT -p tcp -j TRAFFIC_OUTPUT',
        'COMMIT',
      ),
    );
  },
);

t.test('golden: inbound capture on', async (t) => {
  const o = opts({ inboundCapture: true, excludeInboundPorts: [15090, 22, 15021] });
  t.equal(
    buildCaptureRules(o, 'ipv4'),
    lines(
      '*nat',
      '-N TRAFFIC_OUTPUT',
      '-N TRAFFIC_REDIRECT',
      '-N TRAFFIC_INBOUND',
      '-N TRAFFIC_IN_REDIRECT',
      '-A TRAFFIC_OUTPUT -p tcp -m tcp --dport 8900 -j RETURN',
      '-A TRAFFIC_OUTPUT -m owner --uid-owner 1337 -j RETURN',
      '-A TRAFFIC_OUTPUT -m owner --gid-owner 1337 -j RETURN',
      '-A TRAFFIC_OUTPUT -d 127.0.0.1/32 -j RETURN',
      '-A TRAFFIC_OUTPUT -o lo -j RETURN',
      '-A TRAFFIC_OUTPUT -j TRAFFIC_REDIRECT',
      '-A TRAFFIC_REDIRECT -p tcp -j REDIRECT --to-ports 10000',
      '-A TRAFFIC_INBOUND -p tcp -m multiport --dports 22,15021,15090 -j RETURN',
      '-A TRAFFIC_INBOUND -p tcp -m tcp --dport 8900 -j RETURN',
      '-A TRAFFIC_INBOUND -p tcp -j TRAFFIC_IN_REDIRECT',
      '-A TRAFFIC_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006',
      '-A OUTPUT -p tcp -j TRAFFIC_OUTPUT',
      '-A PREROUTING -p tcp -j TRAFFIC_INBOUND',
      'COMMIT',
    ),
  );
});

t.test('golden: mixed-family CIDR lists are filtered per family', async (t) => {
  const o = opts({
    excludeOutboundCidrs: ['10.0.0.0/8', 'FD00::1/8', '::ffff:10.0.0.0/104'],
    includeOutboundCidrs: ['192.168.0.0/16', '2001:db8:0:0:1:0:0:1', '0.0.0.0/0'],
  });
  const body = (family: Family): string[] =>
    buildCaptureRules(o, family)
      .split('\n')
      .filter((l) => l.startsWith('-A TRAFFIC_OUTPUT -d') || l.endsWith('-j TRAFFIC_REDIRECT'));
  t.same(body('ipv4'), [
    '-A TRAFFIC_OUTPUT -d 127.0.0.1/32 -j RETURN',
    '-A TRAFFIC_OUTPUT -d 10.0.0.0/8 -j RETURN',
    // 0.0.0.0/0 subsumes 192.168.0.0/16: one unconditional jump (iptables prints no -d for /0)
    '-A TRAFFIC_OUTPUT -j TRAFFIC_REDIRECT',
  ]);
  t.same(body('ipv6'), [
    '-A TRAFFIC_OUTPUT -d ::1/128 -j RETURN',
    '-A TRAFFIC_OUTPUT -d fd00::/8 -j RETURN',
    '-A TRAFFIC_OUTPUT -d ::ffff:10.0.0.0/104 -j RETURN',
    '-A TRAFFIC_OUTPUT -d 2001:db8::1:0:0:1/128 -j TRAFFIC_REDIRECT',
  ]);
  // An include list with no CIDR of a family captures nothing of that family.
  const v4only = opts({ includeOutboundCidrs: ['10.0.0.0/8'] });
  t.notMatch(buildCaptureRules(v4only, 'ipv6'), /-j TRAFFIC_REDIRECT\n/);
  t.match(buildCaptureRules(v4only, 'ipv6'), /-A OUTPUT -p tcp -j TRAFFIC_OUTPUT\n/);
  // Excluding everything of a family: one RETURN, and no dead redirect after it.
  const none = buildCaptureRules(opts({ excludeOutboundCidrs: ['::/0'] }), 'ipv6');
  t.match(none, /-A TRAFFIC_OUTPUT -j RETURN\n-A TRAFFIC_REDIRECT/);
  t.notMatch(none, /-A TRAFFIC_OUTPUT -j TRAFFIC_REDIRECT/);
});

t.test('expectedRuleLines are the -A lines of the restore text', async (t) => {
  const o = opts({ inboundCapture: true, excludeOutboundPorts: [1, 2, 3] });
  for (const f of ['ipv4', 'ipv6'] as const) {
    const fromText = buildCaptureRules(o, f)
      .split('\n')
      .filter((l) => l.startsWith('-A '));
    t.same(expectedRuleLines(o, f), fromText, f);
  }
  t.same(CHAINS, {
    output: 'TRAFFIC_OUTPUT',
    redirect: 'TRAFFIC_REDIRECT',
    inbound: 'TRAFFIC_INBOUND',
    inRedirect: 'TRAFFIC_IN_REDIRECT',
  });
});

t.test('the builder refuses invalid options and families with a typed error', async (t) => {
  t.throws(() => buildCaptureRules({ ...DEFAULT_CAPTURE, capturePort: 0 }, 'ipv4'), {
    code: 'TM_INVALID_ARGUMENT',
  });
  t.throws(
    () =>
      buildCaptureRules(
        { ...DEFAULT_CAPTURE, excludeOutboundCidrs: ['1.2.3.4 -j ACCEPT'] },
        'ipv4',
      ),
    { code: 'TM_INVALID_ARGUMENT' },
  );
  t.throws(() => buildCaptureRules(DEFAULT_CAPTURE, 'inet' as Family), {
    code: 'TM_INVALID_ARGUMENT',
  });
  t.throws(() => expectedRuleLines({ ...DEFAULT_CAPTURE, proxyUid: -5 }, 'ipv6'), {
    code: 'TM_INVALID_ARGUMENT',
  });
});

// ---- properties ------------------------------------------------------------------------------

const port = fc.integer({ min: 1, max: 65535 });
const id = fc.integer({ min: 0, max: 2 ** 31 });
const v4 = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }),
    fc.option(fc.integer({ min: 0, max: 32 })),
  )
  .map(([b, p]) => (p === null ? b.join('.') : `${b.join('.')}/${p}`));
const v6 = fc
  .tuple(
    fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
      minLength: 8,
      maxLength: 8,
    }),
    fc.option(fc.integer({ min: 0, max: 128 })),
  )
  .map(([w, p]) => {
    const text = w.map((x) => x.toString(16)).join(':');
    return p === null ? text : `${text}/${p}`;
  });
const cidr = fc.oneof(v4, v6);
const options = fc
  .record({
    capturePort: port,
    adminPort: port,
    inboundPort: port,
    proxyUid: id,
    proxyGid: id,
    inboundCapture: fc.boolean(),
    excludeOutboundPorts: fc.array(port, { maxLength: 40 }),
    excludeInboundPorts: fc.array(port, { maxLength: 20 }),
    excludeOutboundCidrs: fc.array(cidr, { maxLength: 6 }),
    includeOutboundCidrs: fc.oneof(fc.constant<string[]>(['*']), fc.array(cidr, { maxLength: 6 })),
  })
  .filter((o) => o.capturePort !== o.adminPort && o.inboundPort !== o.adminPort);

/** Every line the builder may write, with the values it contains captured for checking. */
const GRAMMAR: RegExp[] = [
  /^\*nat$/,
  /^COMMIT$/,
  /^-N (TRAFFIC_OUTPUT|TRAFFIC_REDIRECT|TRAFFIC_INBOUND|TRAFFIC_IN_REDIRECT)$/,
  /^-A (TRAFFIC_OUTPUT|TRAFFIC_INBOUND) -p tcp -m multiport --dports (?<ports>\d+(,\d+){0,14}) -j RETURN$/,
  /^-A (TRAFFIC_OUTPUT|TRAFFIC_INBOUND) -p tcp -m tcp --dport (?<admin>\d+) -j RETURN$/,
  /^-A TRAFFIC_OUTPUT -m owner --uid-owner (?<uid>\d+) -j RETURN$/,
  /^-A TRAFFIC_OUTPUT -m owner --gid-owner (?<gid>\d+) -j RETURN$/,
  /^-A TRAFFIC_OUTPUT -o lo -j RETURN$/,
  /^-A TRAFFIC_OUTPUT (-d (?<cidr>[0-9a-f.:]+\/\d+) )?-j (RETURN|TRAFFIC_REDIRECT)$/,
  /^-A TRAFFIC_INBOUND -p tcp -j TRAFFIC_IN_REDIRECT$/,
  /^-A (TRAFFIC_REDIRECT|TRAFFIC_IN_REDIRECT) -p tcp -j REDIRECT --to-ports (?<to>\d+)$/,
  /^-A OUTPUT -p tcp -j TRAFFIC_OUTPUT$/,
  /^-A PREROUTING -p tcp -j TRAFFIC_INBOUND$/,
];

function checkLine(line: string, o: CaptureOptions, family: Family): string | undefined {
  const m = GRAMMAR.map((re) => re.exec(line)).find((x) => x !== null);
  if (!m) return `line outside the grammar: ${line}`;
  const g = m.groups ?? {};
  const ports = [...o.excludeOutboundPorts, ...o.excludeInboundPorts];
  if (g.ports !== undefined && !g.ports.split(',').every((p) => ports.includes(Number(p)))) {
    return `unvalidated port in ${line}`;
  }
  if (g.admin !== undefined && Number(g.admin) !== o.adminPort) return `admin port: ${line}`;
  if (g.uid !== undefined && Number(g.uid) !== o.proxyUid) return `uid: ${line}`;
  if (g.gid !== undefined && Number(g.gid) !== o.proxyGid) return `gid: ${line}`;
  if (g.to !== undefined && ![o.capturePort, o.inboundPort].includes(Number(g.to))) {
    return `redirect target: ${line}`;
  }
  if (g.cidr !== undefined) {
    const known = [...o.excludeOutboundCidrs, ...o.includeOutboundCidrs, '127.0.0.1/32', '::1/128'];
    const p = parseCidr(g.cidr);
    if (!known.includes(g.cidr) || !p.valid || p.result.text !== g.cidr) return `cidr: ${line}`;
    if (p.result.family !== family) return `wrong family: ${line}`;
  }
  return undefined;
}

t.test('property: valid options give text built only from validated values', async (t) => {
  fc.assert(
    fc.property(options, fc.constantFrom<Family>('ipv4', 'ipv6'), (raw, family) => {
      const v = validateCaptureOptions(raw);
      if (!v.valid) throw new Error(`valid by construction: ${v.errors.join('; ')}`);
      const text = buildCaptureRules(v.result, family);
      const all = text.split('\n');
      if (all.pop() !== '') return false;
      const problems = all.map((l) => checkLine(l, v.result, family)).filter(Boolean);
      if (problems.length > 0) throw new Error(problems.join('\n'));
      const outputJumps = all.filter((l) => l.startsWith('-A OUTPUT '));
      const preJumps = all.filter((l) => l.startsWith('-A PREROUTING '));
      return (
        outputJumps.length === 1 &&
        preJumps.length === (v.result.inboundCapture ? 1 : 0) &&
        all[0] === '*nat' &&
        all[all.length - 1] === 'COMMIT'
      );
    }),
    { numRuns: 300 },
  );
  t.pass('300 runs');
});

t.test('property: anything else is refused with TM_INVALID_ARGUMENT, never a crash', async (t) => {
  const junk = fc.oneof(
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.constant(null),
    fc.array(fc.string()),
  );
  const key = fc.constantFrom(...(Object.keys(DEFAULT_CAPTURE) as (keyof CaptureOptions)[]));
  fc.assert(
    fc.property(key, junk, (k, value) => {
      const o: CaptureOptions = { ...DEFAULT_CAPTURE, [k]: value };
      const v = validateCaptureOptions(o);
      try {
        buildCaptureRules(o, 'ipv4');
        return v.valid;
      } catch (err) {
        return !v.valid && hasCode(err, 'TM_INVALID_ARGUMENT');
      }
    }),
    { numRuns: 500 },
  );
  t.pass('500 runs');
});
