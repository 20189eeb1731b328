// The IP address of a gRPC peer string ("ipv4:127.0.0.1:5000", "[::1]:5000", "ipv6:[::1]:5000").
export function peerAddress(peer: string): string {
  const bare = peer.replace(/^ipv[46]:/, '');
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(bare);
  if (v6) return (v6[1] ?? '').replace(/^::ffff:/, '');
  const i = bare.lastIndexOf(':');
  return i > 0 && bare.indexOf(':') === i ? bare.slice(0, i) : bare;
}
