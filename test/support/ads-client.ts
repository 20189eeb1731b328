// A raw ADS client for protocol tests and benchmarks: sends requests exactly as given, queues
// decoded responses, and never hides what the server did.
import * as grpc from '@grpc/grpc-js';
import {
  ADS_SERVICE,
  deltaResponse,
  discoveryResponse,
  type DeltaDiscoveryRequest,
  type DiscoveryRequest,
} from '../../control/xds/messages.js';
import { decodeResource } from '../../control/xds/encode.js';

const Client = grpc.makeGenericClientConstructor(ADS_SERVICE, 'AggregatedDiscoveryService');

export interface SotwResponse {
  version_info: string;
  type_url: string;
  nonce: string;
  resources: { type_url: string; value: Uint8Array }[];
}

export interface DeltaResponse {
  system_version_info: string;
  type_url: string;
  nonce: string;
  resources: { name: string; version: string; resource: { type_url: string; value: Uint8Array } }[];
  removed_resources: string[];
}

/** One channel to the server; many streams can share it. */
export function adsChannel(port: number): grpc.Client {
  return new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}

export class RawAdsClient<Req, Res> {
  private readonly client: grpc.Client;
  private readonly call: grpc.ClientDuplexStream<Req, Buffer>;
  private readonly queue: Res[] = [];
  private waiters: ((r: Res) => void)[] = [];
  status: grpc.StatusObject | undefined;
  error: grpc.ServiceError | undefined;

  private readonly ownsClient: boolean;

  constructor(
    target: number | grpc.Client,
    method: 'StreamAggregatedResources' | 'DeltaAggregatedResources',
    decode: (b: Buffer) => Res,
  ) {
    this.ownsClient = typeof target === 'number';
    this.client = typeof target === 'number' ? adsChannel(target) : target;
    const fn = (
      this.client as unknown as Record<string, () => grpc.ClientDuplexStream<Req, Buffer>>
    )[method];
    this.call = fn.call(this.client);
    this.call.on('data', (b: Buffer) => {
      const r = decode(b);
      const w = this.waiters.shift();
      if (w) w(r);
      else this.queue.push(r);
    });
    this.call.on('status', (s: grpc.StatusObject) => {
      this.status = s;
    });
    this.call.on('error', (e: grpc.ServiceError) => {
      this.error = e;
    });
  }

  send(req: Req): void {
    this.call.write(req);
  }

  /** Stops reading responses (HTTP/2 flow control then stalls the server's writes). */
  pause(): void {
    this.call.pause();
  }

  /** The next response, or a rejection after `ms`. */
  next(ms = 3000): Promise<Res> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(new Error(`no response within ${ms} ms`));
      }, ms);
      const done = (r: Res): void => {
        clearTimeout(timer);
        resolve(r);
      };
      this.waiters.push(done);
    });
  }

  /** Resolves true when nothing arrives for `ms`. */
  async quiet(ms = 300): Promise<boolean> {
    if (this.queue.length > 0) return false;
    return this.next(ms).then(
      (r) => {
        this.queue.unshift(r);
        return false;
      },
      () => true,
    );
  }

  /** Waits until the server ended the call; resolves with its status. */
  async ended(ms = 3000): Promise<grpc.StatusObject | grpc.ServiceError> {
    const deadline = Date.now() + ms;
    while (!this.status && !this.error && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    const s = this.error ?? this.status;
    if (!s) throw new Error('call did not end');
    return s;
  }

  /** Half-closes the stream as a well-behaved client does (the server then ends it). */
  end(): void {
    this.call.end();
  }

  /** Cancels the stream (RST_STREAM) and closes the channel if this client owns it. */
  close(): void {
    this.call.cancel();
    if (this.ownsClient) this.client.close();
  }
}

export function sotwClient(
  port: number | grpc.Client,
): RawAdsClient<DiscoveryRequest, SotwResponse> {
  return new RawAdsClient(
    port,
    'StreamAggregatedResources',
    (b) => discoveryResponse.decode(b) as unknown as SotwResponse,
  );
}

export function deltaClient(
  port: number | grpc.Client,
): RawAdsClient<DeltaDiscoveryRequest, DeltaResponse> {
  return new RawAdsClient(
    port,
    'DeltaAggregatedResources',
    (b) => deltaResponse.decode(b) as unknown as DeltaResponse,
  );
}

/** Names of the resources in a SotW response (decoded with Envoy's protos). */
export function namesOf(r: SotwResponse): string[] {
  return r.resources.map((a) => {
    const o = decodeResource(a.type_url, a.value);
    return String(o.name ?? o.cluster_name);
  });
}
