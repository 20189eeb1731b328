// A real proxyless gRPC xDS client (@grpc/grpc-js-xds): a channel to `xds:///<target>` whose
// bootstrap points at our control plane with the given node id (per channel, so several
// control planes and nodes can live in one test process).
import * as grpc from '@grpc/grpc-js';
import * as xds from '@grpc/grpc-js-xds';
import { EchoClient } from './backends.js';

let registered = false;

export function xdsBootstrap(xdsPort: number, nodeId: string): object {
  return {
    xds_servers: [
      {
        server_uri: `127.0.0.1:${xdsPort}`,
        channel_creds: [{ type: 'insecure' }],
        server_features: ['xds_v3'],
      },
    ],
    node: { id: nodeId, cluster: nodeId, locality: {} },
  };
}

export function xdsEchoClient(xdsPort: number, nodeId: string, target: string): grpc.Client {
  if (!registered) {
    xds.register();
    registered = true;
  }
  return new EchoClient(`xds:///${target}`, grpc.credentials.createInsecure(), {
    'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config': JSON.stringify(
      xdsBootstrap(xdsPort, nodeId),
    ),
  });
}
