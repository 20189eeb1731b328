// The Envoy .proto files this project loads, shipped inside @grpc/grpc-js-xds. One list serves
// the runtime loader (load.ts) and the type generator (generate.ts).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const PROTO_ROOTS: readonly string[] = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/service/status/v3/csds.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/config/bootstrap/v3/bootstrap.proto',
  'envoy/config/trace/v3/zipkin.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/filters/listener/original_dst/v3/original_dst.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  'envoy/extensions/access_loggers/stream/v3/stream.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/http/fault/v3/fault.proto',
  'envoy/extensions/filters/http/bandwidth_limit/v3/bandwidth_limit.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
];

export function xdsDepsDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
}

export function includeDirs(): string[] {
  const deps = xdsDepsDir();
  return ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => join(deps, d));
}
