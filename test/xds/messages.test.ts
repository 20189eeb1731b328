// Responses are concatenated from pre-encoded parts (resources encoded once and shared by every
// stream); the bytes must be exactly those of encoding the whole message at once, and decode back
// to the same fields with Envoy's own protos.
import t from 'tap';
import {
  CONTROL_PLANE_ID,
  deltaResponse,
  discoveryResponse,
  encodeDeltaResponse,
  encodeSotwResources,
  encodeSotwResponse,
} from '../../control/xds/messages.js';
import type { EncodedResource } from '../../control/xds/encode.js';
import { TYPE } from '../../control/xds/types.js';

function resource(name: string, size: number): EncodedResource {
  const bytes = Buffer.alloc(size, name.charCodeAt(0));
  return {
    name,
    typeUrl: TYPE.cluster,
    bytes,
    hash: `h-${name}-${size}`,
    source: {},
    namedOnly: false,
  };
}

// Sizes around varint length boundaries (127/128, 16383/16384).
const RESOURCES = [resource('a', 0), resource('b', 127), resource('c', 128), resource('d', 16_384)];

t.test('SotW: parts concatenated equal the whole message', async (t) => {
  for (const list of [[], RESOURCES.slice(0, 1), RESOURCES]) {
    const whole = discoveryResponse.encode({
      version_info: 'v1',
      resources: list.map((r) => ({ type_url: r.typeUrl, value: r.bytes })),
      type_url: TYPE.cluster,
      nonce: '7',
      control_plane: { identifier: CONTROL_PLANE_ID },
    });
    t.same(encodeSotwResponse(TYPE.cluster, 'v1', '7', list), whole, `${list.length} resources`);
    const shared = encodeSotwResources(list);
    t.same(encodeSotwResponse(TYPE.cluster, 'v1', '7', shared), whole, 'from a shared body');
  }
  const back = discoveryResponse.decode(encodeSotwResponse(TYPE.cluster, 'v9', '3', RESOURCES));
  t.equal(back.version_info, 'v9');
  t.equal(back.nonce, '3');
  t.equal((back.resources as unknown[]).length, RESOURCES.length);
});

t.test('delta: parts concatenated equal the whole message', async (t) => {
  for (const [list, removed] of [
    [[], []],
    [RESOURCES.slice(1, 2), ['gone']],
    [RESOURCES, ['x', 'y']],
  ] as [EncodedResource[], string[]][]) {
    const whole = deltaResponse.encode({
      system_version_info: 's1',
      resources: list.map((r) => ({
        name: r.name,
        version: r.hash,
        resource: { type_url: r.typeUrl, value: r.bytes },
      })),
      type_url: TYPE.cluster,
      removed_resources: removed,
      nonce: '4',
      control_plane: { identifier: CONTROL_PLANE_ID },
    });
    const parts = encodeDeltaResponse(TYPE.cluster, 's1', '4', list, removed);
    t.same(parts, whole, `${list.length} resources, ${removed.length} removed`);
    t.same(encodeDeltaResponse(TYPE.cluster, 's1', '4', list, removed), whole, 'again, cached');
  }
});

t.test('framing fields: long and non-ASCII strings encode as protobufjs does', async (t) => {
  for (const v of ['', 'x'.repeat(127), 'y'.repeat(128), 'é'.repeat(100), 'z'.repeat(16_384)]) {
    const whole = discoveryResponse.encode({
      version_info: v,
      resources: [],
      type_url: TYPE.route,
      nonce: v,
      control_plane: { identifier: CONTROL_PLANE_ID },
    });
    t.same(encodeSotwResponse(TYPE.route, v, v, []), whole, `SotW, ${v.length} chars`);
    const delta = deltaResponse.encode({
      system_version_info: v,
      type_url: TYPE.route,
      removed_resources: [v, 'ü'],
      nonce: v,
      control_plane: { identifier: CONTROL_PLANE_ID },
    });
    t.same(encodeDeltaResponse(TYPE.route, v, v, [], [v, 'ü']), delta, `delta, ${v.length} chars`);
  }
});
