import t from 'tap';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../lib/log.js';
import { TrafficError, describeError, hasCode } from '../../lib/errors.js';

t.test('JSON lines carry the name, level and fields', async (t) => {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString()));
  const log = createLogger({ name: 'traffic-agent', level: 'debug', destination: out });
  log.debug({ pod: 'reviews-v2-abc.default' }, 'proxy started');
  log.trace('not at trace');
  await new Promise((r) => setImmediate(r));
  const lines = chunks.join('').trim().split('\n');
  t.equal(lines.length, 1, 'trace is filtered at debug level');
  const rec = JSON.parse(lines[0] ?? '{}');
  t.equal(rec.name, 'traffic-agent');
  t.equal(rec.level, 20);
  t.equal(rec.pod, 'reviews-v2-abc.default');
  t.equal(rec.msg, 'proxy started');
});

t.test('an unknown level is refused with the accepted list', async (t) => {
  t.throws(() => createLogger({ name: 'x', level: 'loud', pretty: false }), /debug, trace/);
});

t.test('typed errors keep a stable code', async (t) => {
  const e = new TrafficError('TM_IPTABLES', 'iptables-restore failed');
  t.ok(hasCode(e, 'TM_IPTABLES'));
  t.notOk(hasCode(new Error('x'), 'TM_IPTABLES'));
  t.equal(describeError(e), 'TM_IPTABLES: iptables-restore failed');
  t.equal(describeError('plain'), 'plain');
});
