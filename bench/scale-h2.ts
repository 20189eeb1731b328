// The scale benchmark's proxies can speak gRPC over node:http2 directly: the framing (a flag
// byte, a 4-byte length, the message) is all an ADS stream needs, and grpc-js's client call stack
// (retrying, load-balancing and subchannel calls, interceptors) cost the load processes more CPU
// per response than decoding it. Those processes share the machine's two cores with
// traffic-control, so what they spend is latency the benchmark would blame on it. Windows are
// as large as Envoy's defaults for an xDS cluster (256 MiB), so flow control is the server's.
import { EventEmitter } from 'node:events';
import * as http2 from 'node:http2';

const WINDOW = 256 * 2 ** 20;
const EMPTY = Buffer.alloc(0);

/** One HTTP/2 connection to traffic-control's ADS port. */
export function connect(port: number): http2.ClientHttp2Session {
  const session = http2.connect(`http://127.0.0.1:${port}`, {
    settings: { initialWindowSize: WINDOW },
  });
  session.on('connect', () => session.setLocalWindowSize(WINDOW));
  session.on('error', () => {});
  return session;
}

/**
 * A bidirectional gRPC call: `write` frames a serialised request, 'data' emits each response
 * message's bytes, as grpc-js's ClientDuplexStream does for the clients in this folder.
 */
export class H2Call<Req> extends EventEmitter {
  private readonly stream: http2.ClientHttp2Stream;
  private rest: Buffer = EMPTY;

  constructor(
    session: http2.ClientHttp2Session,
    path: string,
    private readonly serialize: (m: Req) => Buffer,
  ) {
    super();
    this.stream = session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    this.stream.on('data', (chunk: Buffer) => this.onChunk(chunk));
    this.stream.on('error', (err) => this.emit('error', err));
    this.stream.on('close', () => this.emit('close'));
  }

  write(m: Req): boolean {
    const body = this.serialize(m);
    const frame = Buffer.allocUnsafe(body.length + 5);
    frame[0] = 0;
    frame.writeUInt32BE(body.length, 1);
    body.copy(frame, 5);
    return this.stream.write(frame);
  }

  private onChunk(chunk: Buffer): void {
    const b = this.rest.length === 0 ? chunk : Buffer.concat([this.rest, chunk]);
    let off = 0;
    while (b.length - off >= 5) {
      if (b[off] !== 0)
        throw new Error('compressed gRPC message: not expected from traffic-control');
      const len = b.readUInt32BE(off + 1);
      if (b.length - off - 5 < len) break;
      const msg = b.subarray(off + 5, off + 5 + len);
      off += 5 + len;
      this.emit('data', msg);
    }
    this.rest = off === b.length ? EMPTY : b.subarray(off);
  }

  end(): void {
    this.stream.end();
  }
}

/** What the ADS clients need of a call: grpc-js's ClientDuplexStream and H2Call both fit. */
export interface AdsCall<Req> {
  on(event: 'data', fn: (b: Buffer) => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
  write(m: Req): boolean;
  end(): void;
}
