// Property-based tests of the label value parsers: total (never throw), exact about what they
// accept, and canonical in what they return.
import t from 'tap';
import fc from 'fast-check';
import {
  boolParser,
  durationMsParser,
  enumParser,
  intParser,
  percentParser,
  tokenParser,
  HTTP_TOKEN,
} from '../../lib/labels/index.js';

const parsers = [
  boolParser(),
  intParser(0, 128),
  enumParser(['ROUND_ROBIN', 'MAGLEV']),
  durationMsParser(1, 86_400_000),
  percentParser(),
  tokenParser(HTTP_TOKEN, 'a token', 63),
];

t.test('every parser is total: any string gives a result, never a throw', async (t) => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (s) => {
      for (const p of parsers) {
        const v = p.parse(s);
        if (v.valid === false && v.errors.length === 0) return false;
      }
      return true;
    }),
    { numRuns: 2000 },
  );
  t.pass('2000 random strings through 6 parsers');
});

t.test('intParser accepts exactly the integers in range and round-trips them', async (t) => {
  const p = intParser(0, 128);
  fc.assert(
    fc.property(fc.integer({ min: -100_000, max: 100_000 }), (n) => {
      const v = p.parse(String(n));
      const inRange = n >= 0 && n <= 128;
      return inRange ? v.valid && v.result === n : !v.valid;
    }),
  );
  for (const bad of ['', ' ', '1.5', '0x10', '1e2', '12abc', '+-1', '٣']) {
    t.notOk(p.parse(bad).valid, `rejects ${JSON.stringify(bad)}`);
  }
});

t.test('enumParser is case-insensitive and returns the canonical spelling', async (t) => {
  const p = enumParser(['ROUND_ROBIN', 'LEAST_REQUEST', 'MAGLEV']);
  fc.assert(
    fc.property(
      fc.constantFrom('ROUND_ROBIN', 'LEAST_REQUEST', 'MAGLEV'),
      fc.array(fc.boolean(), { minLength: 13, maxLength: 13 }),
      (value, upper) => {
        const mixed = [...value].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase()));
        const v = p.parse(mixed.join(''));
        return v.valid && v.result === value;
      },
    ),
  );
  const bad = p.parse('ROUNDROBIN');
  t.notOk(bad.valid);
  if (!bad.valid) t.match(bad.errors[0], /ROUND_ROBIN, LEAST_REQUEST, MAGLEV/);
});

t.test('durationMsParser: bare integers are milliseconds, suffixes scale', async (t) => {
  const p = durationMsParser(1, 86_400_000);
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 86_400 }), (s) => {
      const a = p.parse(`${s}s`);
      const b = p.parse(String(s * 1000));
      return a.valid && b.valid && a.result === s * 1000 && b.result === s * 1000;
    }),
  );
  t.same(p.parse('3000'), { valid: true, result: 3000 }, 'the README example: 3000 is 3 s');
  t.same(p.parse('1m'), { valid: true, result: 60_000 });
  t.same(p.parse('2h'), { valid: true, result: 7_200_000 });
  t.notOk(p.parse('0').valid, 'below the minimum');
  t.notOk(p.parse('25h').valid, 'above the maximum');
  t.notOk(p.parse('3 s').valid);
  t.notOk(p.parse('-5').valid);
});

t.test('percentParser accepts 0-100 with decimals and nothing else', async (t) => {
  const p = percentParser();
  fc.assert(
    fc.property(fc.double({ min: 0, max: 100, noNaN: true }), (x) => {
      const text = x.toFixed(3);
      const v = p.parse(text);
      return v.valid && Math.abs(v.result - Number(text)) < 1e-9;
    }),
  );
  for (const bad of ['101', '-1', '1e2', 'NaN', 'Infinity', '50%', '.5', '']) {
    t.notOk(p.parse(bad).valid, `rejects ${JSON.stringify(bad)}`);
  }
});

t.test('boolParser: true/false in any case only', async (t) => {
  const p = boolParser();
  t.same(p.parse('TRUE'), { valid: true, result: true });
  t.same(p.parse('False'), { valid: true, result: false });
  for (const bad of ['yes', '1', 'on', '', 'truee']) t.notOk(p.parse(bad).valid, bad);
});

t.test('tokenParser enforces the pattern and the length limit', async (t) => {
  const p = tokenParser(HTTP_TOKEN, 'a header name', 10);
  t.same(p.parse('x-user'), { valid: true, result: 'x-user' });
  t.notOk(p.parse('has space').valid);
  t.notOk(p.parse('a'.repeat(11)).valid);
  t.notOk(p.parse('').valid);
});
