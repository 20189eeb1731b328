// Pod IP allocation from an IPv4 CIDR: the lowest free address, skipping the network address,
// the first host address (the node's) and the broadcast address.

export interface Ipv4Range {
  first: number;
  last: number;
}

function toNumber(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`fake-kube: bad IPv4 address ${JSON.stringify(ip)}`);
  }
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

export function toIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

export function parseCidr(cidr: string): Ipv4Range {
  const [ip, bitsText] = cidr.split('/');
  const bits = Number(bitsText ?? '32');
  if (!Number.isInteger(bits) || bits < 0 || bits > 32)
    throw new Error(`fake-kube: bad CIDR ${JSON.stringify(cidr)}`);
  const size = 2 ** (32 - bits);
  const base = Math.floor(toNumber(ip) / size) * size;
  if (size <= 4) return { first: base, last: base + size - 1 };
  return { first: base + 2, last: base + size - 2 };
}

/** The lowest address of the range not in `used`, or undefined when the range is full. */
export function allocate(range: Ipv4Range, used: ReadonlySet<string>): string | undefined {
  for (let n = range.first; n <= range.last; n++) {
    const ip = toIpv4(n);
    if (!used.has(ip)) return ip;
  }
  return undefined;
}
