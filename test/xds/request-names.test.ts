// SotW requests decoded with the shared name lists equal a plain decode, whatever the names;
// an identical list is the same frozen array; names not in one run fall back to a plain decode.
import t from 'tap';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { discoveryRequest } from '../../control/xds/messages.js';
import { namesRegion } from '../../control/xds/request-names.js';
import { lookupType } from '../../control/xds/proto/load.js';
import { TYPE } from '../../control/xds/types.js';

const Request = lookupType('envoy.service.discovery.v3.DiscoveryRequest');
const plain = (b: Buffer): Record<string, unknown> =>
  Request.toObject(Request.decode(b), {
    longs: String,
    enums: String,
    defaults: false,
    arrays: true,
  });

const request = fc.record({
  version_info: fc.string(),
  node: fc.option(fc.record({ id: fc.string({ minLength: 1 }) }), { nil: undefined }),
  resource_names: fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 40 }),
  type_url: fc.constantFrom(TYPE.cluster, TYPE.endpoint, TYPE.route),
  response_nonce: fc.string(),
});

t.test('decodes like the plain decoder', async (t) => {
  const same = fc.property(request, (r) => {
    const buf = discoveryRequest.encode(r);
    return isDeepStrictEqual({ ...discoveryRequest.decode(buf) }, plain(buf));
  });
  t.doesNotThrow(() => fc.assert(same, { numRuns: 500 }), '500 random requests');
});

t.test('an identical list is one frozen array', async (t) => {
  const names = Array.from({ length: 2000 }, (_, i) => `outbound|9080||svc-${i}.scale-${i % 10}`);
  const a = discoveryRequest.decode(
    discoveryRequest.encode({
      type_url: TYPE.endpoint,
      resource_names: names,
      response_nonce: '1',
    }),
  );
  const b = discoveryRequest.decode(
    discoveryRequest.encode({
      type_url: TYPE.endpoint,
      resource_names: names,
      response_nonce: '2',
    }),
  );
  t.equal(a.resource_names, b.resource_names, 'the same array');
  t.ok(Object.isFrozen(a.resource_names), 'frozen');
  t.same(a.resource_names, names);
  t.equal(b.response_nonce, '2', 'the other fields are each request’s own');
});

t.test('names interleaved with other fields: a plain decode', async (t) => {
  // Field 3 twice around field 4 (legal protobuf, though no encoder writes it).
  const part = (o: Record<string, unknown>): Buffer => discoveryRequest.encode(o);
  const buf = Buffer.concat([
    part({ resource_names: ['a'] }),
    part({ type_url: TYPE.route }),
    part({ resource_names: ['b'] }),
  ]);
  t.equal(namesRegion(buf), 'scattered');
  t.same(discoveryRequest.decode(buf).resource_names, ['a', 'b']);
  t.equal(namesRegion(part({ type_url: TYPE.route })), undefined, 'no names: no region');
});
