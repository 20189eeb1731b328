// Option and list validation: what reaches the builder, and the error messages a user sees
// (they name the bad item). Plus properties of the list parsers and of the CIDR normaliser.
import fc from 'fast-check';
import t from 'tap';
import {
  DEFAULT_CAPTURE,
  parseCidrList,
  parsePortList,
  validateCaptureOptions,
  type CaptureOptions,
} from '../../iptables/index.js';
import { parseCidr } from '../../iptables/cidr.js';

t.test('parsePortList', async (t) => {
  t.same(parsePortList('80,443, 8080'), { valid: true, result: [80, 443, 8080] });
  t.same(parsePortList('  8080 ,80 ,\t443 '), { valid: true, result: [80, 443, 8080] });
  t.same(parsePortList(''), { valid: true, result: [] });
  t.same(parsePortList('   '), { valid: true, result: [] });
  t.same(parsePortList('1,65535,1'), { valid: true, result: [1, 65535] });
  const bad: [string, RegExp][] = [
    ['0', /"0" is not a port/],
    ['70000', /"70000" is not a port/],
    ['abc', /"abc" is not a port/],
    ['80,abc,443', /"abc"/],
    ['80,,443', /item 2 is empty/],
    ['80,', /item 2 is empty/],
    [',80', /item 1 is empty/],
    ['080', /"080"/],
    ['8.0', /"8.0"/],
    ['-1', /"-1"/],
    ['1e3', /"1e3"/],
    ['0x50', /"0x50"/],
    ['80 443', /"80 443"/],
  ];
  for (const [text, message] of bad) {
    const v = parsePortList(text);
    t.equal(v.valid, false, `${JSON.stringify(text)} refused`);
    if (!v.valid) t.match(v.errors.join('; '), message, `${JSON.stringify(text)} named`);
  }
  t.match(parsePortList(Array.from({ length: 600 }, (_, i) => i + 1).join(',')), {
    valid: false,
    errors: [/too many items/],
  });
});

t.test('parseCidrList', async (t) => {
  t.same(parseCidrList('10.0.0.0/8,fd00::/8'), { valid: true, result: ['10.0.0.0/8', 'fd00::/8'] });
  t.same(parseCidrList(' 10.1.2.3 , FD00::1 ,10.9.9.9/8'), {
    valid: true,
    result: ['10.1.2.3/32', 'fd00::1/128', '10.0.0.0/8'],
  });
  t.same(parseCidrList('10.0.0.0/8,10.255.0.0/8'), { valid: true, result: ['10.0.0.0/8'] });
  t.same(parseCidrList(''), { valid: true, result: [] });
  t.same(parseCidrList('*'), { valid: true, result: ['*'] });
  t.match(parseCidrList('*', { allowWildcard: false }), { valid: false, errors: [/only allowed/] });
  t.match(parseCidrList('*,10.0.0.0/8'), { valid: false, errors: [/cannot be combined/] });
  const bad: [string, RegExp][] = [
    ['10.0.0.0/33', /"10.0.0.0\/33" has a prefix longer than \/32/],
    ['fd00::/129', /longer than \/128/],
    ['1.2.3', /"1.2.3" is not an IPv4 address/],
    ['256.0.0.1', /"256.0.0.1"/],
    ['010.0.0.1', /"010.0.0.1"/],
    ['10.0.0.0/', /invalid prefix/],
    ['10.0.0.0/08', /invalid prefix/],
    ['10.0.0.0/8/8', /not a CIDR/],
    ['1::2::3', /not an IPv6 address/],
    ['fe80::1%eth0', /not an IPv6 address/],
    ['example.com', /"example.com"/],
    ['10.0.0.0/8,,fd00::/8', /item 2 is empty/],
    ['10.0.0.0/8, ,fd00::/8', /item 2 is empty/],
  ];
  for (const [text, message] of bad) {
    const v = parseCidrList(text);
    t.equal(v.valid, false, `${JSON.stringify(text)} refused`);
    if (!v.valid) t.match(v.errors.join('; '), message, `${JSON.stringify(text)} named`);
  }
});

t.test('validateCaptureOptions', async (t) => {
  t.same(validateCaptureOptions({}), { valid: true, result: DEFAULT_CAPTURE });
  t.same(DEFAULT_CAPTURE, {
    capturePort: 10000,
    proxyUid: 1337,
    proxyGid: 1337,
    adminPort: 8900,
    excludeOutboundPorts: [],
    excludeOutboundCidrs: [],
    includeOutboundCidrs: [],
    inboundCapture: false,
    inboundPort: 15006,
    excludeInboundPorts: [],
  });
  t.ok(Object.isFrozen(DEFAULT_CAPTURE) && Object.isFrozen(DEFAULT_CAPTURE.excludeOutboundPorts));
  const bad: [unknown, RegExp][] = [
    [{ capturePort: 0 }, /capturePort: 0 is not a port/],
    [{ capturePort: 70000 }, /capturePort: 70000/],
    [{ adminPort: 1.5 }, /adminPort: 1.5/],
    [{ inboundPort: '15006' }, /inboundPort: "15006"/],
    [{ proxyUid: -1 }, /proxyUid: -1 is not an id/],
    [{ proxyGid: 2 ** 31 + 1 }, /proxyGid/],
    [{ proxyUid: Number.NaN }, /proxyUid/],
    [{ inboundCapture: 'yes' }, /inboundCapture: not a boolean/],
    [{ excludeOutboundPorts: '80' }, /excludeOutboundPorts: not a list/],
    [{ excludeOutboundPorts: [80, 0] }, /excludeOutboundPorts: 0 is not a port/],
    [{ excludeInboundPorts: [80, 'x'] }, /excludeInboundPorts: "x"/],
    [{ excludeOutboundCidrs: ['*'] }, /excludeOutboundCidrs: "\*" is only allowed in include/],
    [{ excludeOutboundCidrs: ['10.0.0.0/33'] }, /excludeOutboundCidrs: "10.0.0.0\/33"/],
    [{ includeOutboundCidrs: ['*', '10.0.0.0/8'] }, /includeOutboundCidrs: "\*" cannot/],
    [{ includeOutboundCidrs: [7] }, /includeOutboundCidrs: 7 is not a CIDR/],
    [{ capturePort: 8900 }, /capturePort: equals adminPort/],
    [{ inboundCapture: true, inboundPort: 8900 }, /inboundPort: equals adminPort/],
    [{ capturPort: 1 }, /capturPort: unknown option/],
    [null, /not an object/],
    [[], /not an object/],
  ];
  for (const [input, message] of bad) {
    const v = validateCaptureOptions(input as Partial<CaptureOptions>);
    t.equal(v.valid, false, `${JSON.stringify(input)} refused`);
    if (!v.valid) t.match(v.errors.join('; '), message, JSON.stringify(input));
  }
  // Several problems are all reported.
  const many = validateCaptureOptions({ capturePort: 0, proxyUid: -1 });
  t.equal(many.valid ? 0 : many.errors.length, 2);
});

// ---- properties ------------------------------------------------------------------------------

const port = fc.integer({ min: 1, max: 65535 });
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

t.test('property: list parsers never throw, and their output is a fixed point', async (t) => {
  const text = fc.oneof(
    fc.string(),
    fc
      .array(fc.oneof(port.map(String), fc.string({ maxLength: 6 })), { maxLength: 5 })
      .map((a) => a.join(',')),
    fc
      .array(fc.oneof(cidr, fc.string({ maxLength: 8 })), { maxLength: 4 })
      .map((a) => a.join(' ,')),
  );
  fc.assert(
    fc.property(text, (s) => {
      const p = parsePortList(s);
      const c = parseCidrList(s);
      const portsOk =
        !p.valid || p.result.every((n) => Number.isInteger(n) && n >= 1 && n <= 65535);
      const again = c.valid ? parseCidrList(c.result.join(',')) : undefined;
      const cidrsOk =
        !c.valid || (again?.valid === true && again.result.join() === c.result.join());
      return portsOk && cidrsOk;
    }),
    { numRuns: 1000 },
  );
  t.pass('1000 runs');
});

t.test('property: IPv6 canonical text round-trips', async (t) => {
  fc.assert(
    fc.property(v6, (s) => {
      const a = parseCidr(s);
      if (!a.valid) return false;
      const b = parseCidr(a.result.text);
      return (
        b.valid && b.result.text === a.result.text && b.result.bits.join() === a.result.bits.join()
      );
    }),
    { numRuns: 1000 },
  );
  t.pass('1000 runs');
});
