// Envoy vocabulary shared by the builders: type URLs of nested configs, the ADS config source,
// durations and percentages in Envoy's message shapes.

const T = 'type.googleapis.com/';

export const ANY = {
  hcm: `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`,
  tcpProxy: `${T}envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy`,
  router: `${T}envoy.extensions.filters.http.router.v3.Router`,
  fault: `${T}envoy.extensions.filters.http.fault.v3.HTTPFault`,
  bandwidth: `${T}envoy.extensions.filters.http.bandwidth_limit.v3.BandwidthLimit`,
  originalDst: `${T}envoy.extensions.filters.listener.original_dst.v3.OriginalDst`,
  zipkin: `${T}envoy.config.trace.v3.ZipkinConfig`,
  httpProtocolOptions: `${T}envoy.extensions.upstreams.http.v3.HttpProtocolOptions`,
  tlsInspector: `${T}envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector`,
  downstreamTls: `${T}envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext`,
  stdoutLog: `${T}envoy.extensions.access_loggers.stream.v3.StdoutAccessLog`,
} as const;

export const ADS_SOURCE = { ads: {}, resource_api_version: 'V3' } as const;

export function duration(ms: number): { seconds: number; nanos?: number } {
  const seconds = Math.floor(ms / 1000);
  const nanos = (ms % 1000) * 1_000_000;
  return nanos === 0 ? { seconds } : { seconds, nanos };
}

/** A percentage (0-100, up to 4 decimals kept) as Envoy's FractionalPercent. */
export function fraction(percent: number): { numerator: number; denominator: string } {
  if (Number.isInteger(percent)) return { numerator: percent, denominator: 'HUNDRED' };
  return { numerator: Math.round(percent * 10_000), denominator: 'MILLION' };
}

export function u32(value: number): { value: number } {
  return { value };
}

export function socketAddress(address: string, port: number): object {
  return { socket_address: { address, port_value: port } };
}

export function isIPv6(ip: string): boolean {
  return ip.includes(':');
}
