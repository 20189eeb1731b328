// The containerd services traffic-agent talks to on one socket (native API and CRI), and the
// shapes of the messages it reads (proto-loader objects: snake_case, int64 as number).
import { connectServices, loadServices, protoDir, type ServiceClient } from './grpc.js';

const FILES = [
  'cri.proto',
  'containers.proto',
  'tasks.proto',
  'content.proto',
  'images.proto',
  'leases.proto',
  'snapshots.proto',
  'diff.proto',
  'version.proto',
];

const SERVICES = {
  runtime: 'runtime.v1.RuntimeService',
  image: 'runtime.v1.ImageService',
  containers: 'containerd.services.containers.v1.Containers',
  tasks: 'containerd.services.tasks.v1.Tasks',
  content: 'containerd.services.content.v1.Content',
  images: 'containerd.services.images.v1.Images',
  leases: 'containerd.services.leases.v1.Leases',
  snapshots: 'containerd.services.snapshots.v1.Snapshots',
  diff: 'containerd.services.diff.v1.Diff',
  version: 'containerd.services.version.v1.Version',
} as const;

export type ContainerdApi = { [K in keyof typeof SERVICES]: ServiceClient } & { close(): void };

export function connectContainerd(address: string): ContainerdApi {
  const clients = connectServices(address, loadServices(protoDir(), FILES));
  const api: Partial<Record<keyof typeof SERVICES, ServiceClient>> = {};
  for (const [key, full] of Object.entries(SERVICES) as Array<[keyof typeof SERVICES, string]>) {
    const c = clients.get(full);
    if (!c) throw new Error(`service ${full} missing from the containerd protos`);
    api[key] = c;
  }
  const close = (): void => {
    for (const c of clients.values()) c.close();
  };
  return { ...(api as { [K in keyof typeof SERVICES]: ServiceClient }), close };
}

export interface Timestamp {
  seconds: number;
  nanos: number;
}

export function toDate(ts: Timestamp | null | undefined): Date {
  return new Date((ts?.seconds ?? 0) * 1000 + Math.floor((ts?.nanos ?? 0) / 1e6));
}

export interface Mount {
  type: string;
  source: string;
  target?: string;
  options: string[];
}

export interface Descriptor {
  media_type: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface NativeContainer {
  id: string;
  labels: Record<string, string>;
  image: string;
  snapshotter: string;
  snapshot_key: string;
  created_at: Timestamp | null;
}

export type TaskStatus = 'UNKNOWN' | 'CREATED' | 'RUNNING' | 'STOPPED' | 'PAUSED' | 'PAUSING';

export interface TaskProcess {
  container_id: string;
  id: string;
  pid: number;
  status: TaskStatus;
  exit_status: number;
  exited_at: Timestamp | null;
}

export interface ImageRecord {
  name: string;
  labels: Record<string, string>;
  target: Descriptor;
}
