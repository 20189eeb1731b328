// The discovery messages on the wire, encoded and decoded with Envoy's own protos, and the gRPC
// service definition of the Aggregated Discovery Service. Responses are written as bytes built
// from pre-encoded resources, so a resource is never re-serialised per stream.
import type * as grpc from '@grpc/grpc-js';
import { lookupType } from './proto/load.js';
import type { EncodedResource } from './encode.js';
import { decodeWithSharedNames } from './request-names.js';
import { lengthDelimited, type Field } from './wire.js';

const SERVICE = '/envoy.service.discovery.v3.AggregatedDiscoveryService';

// Request shapes come from Envoy's protos (generated at build time by `npm run gen:types`).
export type { DiscoveryRequest } from './generated/envoy/service/discovery/v3/DiscoveryRequest.js';
export type { DeltaDiscoveryRequest } from './generated/envoy/service/discovery/v3/DeltaDiscoveryRequest.js';
export type { Node as NodeInfo } from './generated/envoy/config/core/v3/Node.js';
import type { DiscoveryRequest } from './generated/envoy/service/discovery/v3/DiscoveryRequest.js';
import type { DeltaDiscoveryRequest } from './generated/envoy/service/discovery/v3/DeltaDiscoveryRequest.js';

const DECODE = { longs: String, enums: String, defaults: false, arrays: true } as const;

function codec(name: string): {
  decode: (b: Buffer) => Record<string, unknown>;
  encode: (o: Record<string, unknown>) => Buffer;
} {
  let type: ReturnType<typeof lookupType> | undefined;
  const t = (): ReturnType<typeof lookupType> => (type ??= lookupType(name));
  return {
    decode: (b) => t().toObject(t().decode(b), DECODE),
    encode: (o) => Buffer.from(t().encode(t().fromObject(o)).finish()),
  };
}

const plainRequest = codec('envoy.service.discovery.v3.DiscoveryRequest');
/** DiscoveryRequest; repeated name lists decode to one shared frozen array (request-names.ts). */
export const discoveryRequest = {
  encode: plainRequest.encode,
  decode: (b: Buffer): Record<string, unknown> => decodeWithSharedNames(b, plainRequest.decode),
};
export const discoveryResponse = codec('envoy.service.discovery.v3.DiscoveryResponse');
export const deltaRequest = codec('envoy.service.discovery.v3.DeltaDiscoveryRequest');
export const deltaResponse = codec('envoy.service.discovery.v3.DeltaDiscoveryResponse');

export const CONTROL_PLANE_ID = 'traffic-control';

/** ControlPlane{identifier} as a message's field bytes, the same in every response. */
const CONTROL_PLANE = lengthDelimited([[1, CONTROL_PLANE_ID]]);

/** The `resources` field (2) of a DiscoveryResponse: what streams with the same selection share. */
export function encodeSotwResources(resources: Iterable<EncodedResource>): Buffer {
  const any = [...resources].map((r) => ({ type_url: r.typeUrl, value: r.bytes }));
  return discoveryResponse.encode({ resources: any });
}

/**
 * A DiscoveryResponse around pre-encoded resources. Fields are written in field-number order
 * (version_info 1, resources 2, type_url 4, nonce 5, control_plane 6), exactly as encoding the
 * whole message at once would: the bytes are identical, only the resources are not re-encoded.
 */
export function encodeSotwResponse(
  typeUrl: string,
  version: string,
  nonce: string,
  resources: Iterable<EncodedResource> | Buffer,
): Buffer {
  const body = Buffer.isBuffer(resources) ? resources : encodeSotwResources(resources);
  const head = lengthDelimited([[1, version]]);
  const tail = lengthDelimited([
    [4, typeUrl],
    [5, nonce],
    [6, CONTROL_PLANE],
  ]);
  return Buffer.concat([head, body, tail]);
}

/** Each resource's `resources` entry (field 2) of a DeltaDiscoveryResponse, encoded once. */
const deltaEntries = new WeakMap<EncodedResource, Buffer>();

function deltaEntry(r: EncodedResource): Buffer {
  let hit = deltaEntries.get(r);
  if (!hit) {
    const entry = {
      name: r.name,
      version: r.hash,
      resource: { type_url: r.typeUrl, value: r.bytes },
    };
    deltaEntries.set(r, (hit = deltaResponse.encode({ resources: [entry] })));
  }
  return hit;
}

/**
 * A DeltaDiscoveryResponse from per-resource entries encoded once and shared by every stream.
 * Fields are written in field-number order (system_version_info 1, resources 2, type_url 4,
 * nonce 5, removed_resources 6, control_plane 7), as encoding the whole message at once would:
 * the bytes are identical.
 */
export function encodeDeltaResponse(
  typeUrl: string,
  systemVersion: string,
  nonce: string,
  resources: Iterable<EncodedResource>,
  removed: readonly string[],
): Buffer {
  const head = lengthDelimited([[1, systemVersion]]);
  const tail = lengthDelimited([
    [4, typeUrl],
    [5, nonce],
    ...removed.map((n): Field => [6, n]),
    [7, CONTROL_PLANE],
  ]);
  return Buffer.concat([head, ...[...resources].map(deltaEntry), tail]);
}

const identity = (b: Buffer): Buffer => b;

type Codec = ReturnType<typeof codec>;

function method<Req extends object>(name: string, c: Codec): grpc.MethodDefinition<Req, Buffer> {
  return {
    path: `${SERVICE}/${name}`,
    requestStream: true,
    responseStream: true,
    requestSerialize: (m: Req) => c.encode(m as Record<string, unknown>),
    requestDeserialize: (b: Buffer) => c.decode(b) as Req,
    responseSerialize: identity,
    responseDeserialize: identity,
  };
}

/** Server-side definition: requests decoded to objects, responses written as encoded bytes. */
export const ADS_SERVICE = {
  StreamAggregatedResources: method<DiscoveryRequest>(
    'StreamAggregatedResources',
    discoveryRequest,
  ),
  DeltaAggregatedResources: method<DeltaDiscoveryRequest>('DeltaAggregatedResources', deltaRequest),
} satisfies grpc.ServiceDefinition;
