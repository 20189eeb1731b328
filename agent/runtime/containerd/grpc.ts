// gRPC plumbing for containerd: the project's own .proto files (proto/, loaded with proto-loader,
// snake_case fields), one client per service on one unix socket, calls as promises carrying
// containerd's namespace and lease headers, and gRPC status codes as questions.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TrafficError } from '../../../lib/errors.js';

/** gRPC metadata keys containerd reads (pkg/namespaces, leases). */
const NAMESPACE_HEADER = 'containerd-namespace';
const LEASE_HEADER = 'containerd-lease';
const DEFAULT_TIMEOUT_MS = 30_000;

export interface CallOptions {
  /** containerd namespace of the call (native services; CRI ignores it). */
  ns?: string;
  lease?: string;
  timeoutMs?: number;
}

/** Where the .proto files are: beside this module, or in the sources when running from dist/. */
export function protoDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, 'proto'),
    resolve(here, '..', '..', '..', '..', 'agent', 'runtime', 'containerd', 'proto'),
  ];
  const found = candidates.find((d) => existsSync(join(d, 'cri.proto')));
  if (!found)
    throw new TrafficError('TM_RUNTIME', `containerd .proto files not found near ${here}`);
  return found;
}

const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

type ServiceCtor = new (
  address: string,
  creds: grpc.ChannelCredentials,
  options?: grpc.ClientOptions,
) => grpc.Client;

/** Loads `files` from `dir` and returns the client constructor of each fully named service. */
export function loadServices(dir: string, files: string[]): Map<string, ServiceCtor> {
  const def = protoLoader.loadSync(
    files.map((f) => join(dir, f)),
    { ...LOADER_OPTIONS, includeDirs: [dir] },
  );
  const out = new Map<string, ServiceCtor>();
  for (const [name, value] of Object.entries(def)) {
    if (typeof value === 'object' && value !== null && 'format' in value) continue;
    if (typeof value === 'object' && value !== null && !('type' in value)) {
      out.set(name, grpc.makeGenericClientConstructor(value, name));
    }
  }
  return out;
}

export function metadataFor(o: CallOptions): grpc.Metadata {
  const md = new grpc.Metadata();
  if (o.ns) md.set(NAMESPACE_HEADER, o.ns);
  if (o.lease) md.set(LEASE_HEADER, o.lease);
  return md;
}

function deadline(o: CallOptions): grpc.CallOptions {
  return { deadline: Date.now() + (o.timeoutMs ?? DEFAULT_TIMEOUT_MS) };
}

type UnaryFn = (
  req: unknown,
  md: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, res: unknown) => void,
) => grpc.ClientUnaryCall;
type StreamFn = (
  req: unknown,
  md: grpc.Metadata,
  opts: grpc.CallOptions,
) => grpc.ClientReadableStream<unknown>;
type DuplexFn = (
  md: grpc.Metadata,
  opts: grpc.CallOptions,
) => grpc.ClientDuplexStream<unknown, unknown>;

/** One service on one channel; methods are called by name. */
export class ServiceClient {
  constructor(
    readonly name: string,
    private readonly client: grpc.Client,
  ) {}

  private method<T>(m: string): T {
    const fn = (this.client as unknown as Record<string, unknown>)[m];
    if (typeof fn !== 'function') throw new TrafficError('TM_RUNTIME', `${this.name} has no ${m}`);
    return (fn as (...a: unknown[]) => unknown).bind(this.client) as T;
  }

  unary<Res>(m: string, req: unknown, o: CallOptions = {}): Promise<Res> {
    const fn = this.method<UnaryFn>(m);
    return new Promise((resolvePromise, reject) => {
      fn(req, metadataFor(o), deadline(o), (err, res) =>
        err ? reject(err) : resolvePromise(res as Res),
      );
    });
  }

  /** A server stream, collected (the agent only reads small blobs this way). */
  async collect<Res>(m: string, req: unknown, o: CallOptions = {}): Promise<Res[]> {
    const stream = this.method<StreamFn>(m)(req, metadataFor(o), deadline(o));
    const out: Res[] = [];
    for await (const msg of stream) out.push(msg as Res);
    return out;
  }

  duplex(m: string, o: CallOptions = {}): grpc.ClientDuplexStream<unknown, unknown> {
    return this.method<DuplexFn>(m)(metadataFor(o), deadline(o));
  }

  close(): void {
    this.client.close();
  }
}

/** `unix:///path` or `/path` → grpc-js target. */
export function grpcTarget(address: string): string {
  const path = address.startsWith('unix://') ? address.slice('unix://'.length) : address;
  if (!/^\/[A-Za-z0-9._/-]{1,200}$/.test(path) || path.split('/').includes('..')) {
    throw new TrafficError('TM_INVALID_ARGUMENT', `invalid containerd socket "${address}"`);
  }
  return `unix://${path}`;
}

export function connectServices(
  address: string,
  ctors: Map<string, ServiceCtor>,
): Map<string, ServiceClient> {
  const target = grpcTarget(address);
  const opts: grpc.ClientOptions = {
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
    'grpc.max_send_message_length': 16 * 1024 * 1024,
  };
  const out = new Map<string, ServiceClient>();
  for (const [name, Ctor] of ctors) {
    out.set(
      name,
      new ServiceClient(name, new Ctor(target, grpc.credentials.createInsecure(), opts)),
    );
  }
  return out;
}

export function grpcCode(err: unknown): number | undefined {
  const c = (err as { code?: unknown })?.code;
  return typeof c === 'number' ? c : undefined;
}

export const isNotFound = (err: unknown): boolean => grpcCode(err) === grpc.status.NOT_FOUND;
export const isAlreadyExists = (err: unknown): boolean =>
  grpcCode(err) === grpc.status.ALREADY_EXISTS;

/** A TrafficError TM_RUNTIME saying what failed, keeping containerd's reason. */
export function runtimeError(what: string, err: unknown): TrafficError {
  const msg = (err as { details?: string })?.details || (err as Error)?.message || String(err);
  return new TrafficError('TM_RUNTIME', `containerd: ${what}: ${msg}`, { cause: err });
}
