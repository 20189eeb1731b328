// The harness's CRI client (its own small .proto in cri/): the kubelet side of pod sandboxes.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  connectServices,
  loadServices,
  type ServiceClient,
} from '../../agent/runtime/containerd/grpc.js';

const protoDir = join(dirname(fileURLToPath(import.meta.url)), 'cri');

export interface HarnessCri {
  runtime: ServiceClient;
  image: ServiceClient;
  close(): void;
}

export function connectHarnessCri(socket: string): HarnessCri {
  const clients = connectServices(socket, loadServices(protoDir, ['cri.proto']));
  const runtime = clients.get('runtime.v1.RuntimeService');
  const image = clients.get('runtime.v1.ImageService');
  if (!runtime || !image) throw new Error('harness cri.proto lacks its services');
  return {
    runtime,
    image,
    close: () => {
      runtime.close();
      image.close();
    },
  };
}
