// What streams report, as plain callbacks (go-control-plane's callbacks): the sync-status
// registry and the Prometheus metrics both listen here, and the xDS code knows neither.
import type { TypeUrl } from './types.js';

export type StreamKind = 'sotw' | 'delta';

export interface StreamInfo {
  streamId: number;
  nodeId: string;
  peer: string;
  kind: StreamKind;
}

export interface ResponseInfo extends StreamInfo {
  typeUrl: TypeUrl;
  version: string;
  nonce: string;
  resources: number;
  removed: number;
  bytes: number;
  /** Time to build, encode and hand the response to the transport. */
  durationMs: number;
}

export interface AckInfo extends StreamInfo {
  typeUrl: TypeUrl;
  version: string;
  nonce: string;
  /** ms from the change that produced the acknowledged config to this ACK, when known. */
  convergenceMs?: number;
}

export interface NackInfo extends StreamInfo {
  typeUrl: TypeUrl;
  /** The version the client rejected. */
  version: string;
  nonce: string;
  error: string;
}

export interface XdsEvents {
  streamOpened?(s: StreamInfo): void;
  streamClosed?(s: StreamInfo): void;
  responseSent?(r: ResponseInfo): void;
  ack?(a: AckInfo): void;
  nack?(n: NackInfo): void;
  staleNonce?(s: StreamInfo & { typeUrl: string; nonce: string }): void;
  refused?(r: { nodeId: string; peer: string; reason: string }): void;
}

/** Fans every event out to several listeners, in order. */
export function combineEvents(...list: XdsEvents[]): Required<XdsEvents> {
  const each =
    <K extends keyof XdsEvents>(k: K) =>
    (arg: Parameters<NonNullable<XdsEvents[K]>>[0]): void => {
      for (const l of list) (l[k] as ((a: typeof arg) => void) | undefined)?.call(l, arg);
    };
  return {
    streamOpened: each('streamOpened'),
    streamClosed: each('streamClosed'),
    responseSent: each('responseSent'),
    ack: each('ack'),
    nack: each('nack'),
    staleNonce: each('staleNonce'),
    refused: each('refused'),
  };
}
