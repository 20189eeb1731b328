// envoy-tools output: the proxies on this node as the original's table (ID | Pod | Namespace |
// Status | State) or JSON, and prefix selection of one proxy by id.
import type { ProxyInfo } from '../../agent/runtime/types.js';

export function proxyRows(proxies: ProxyInfo[]): string[][] {
  return proxies
    .slice()
    .sort((a, b) =>
      `${a.pod.namespace}/${a.pod.name}`.localeCompare(`${b.pod.namespace}/${b.pod.name}`),
    )
    .map((p) => [p.id.slice(0, 12), p.pod.name, p.pod.namespace, p.status, p.state]);
}

export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join(' | ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export function renderProxies(proxies: ProxyInfo[], output: 'table' | 'json'): string {
  if (output === 'json') {
    const items = proxies.map((p) => ({
      id: p.id,
      pod: p.pod.name,
      namespace: p.pod.namespace,
      podUid: p.pod.uid,
      sandbox: p.sandboxId,
      status: p.status,
      state: p.state,
      image: p.image,
      created: p.created.toISOString(),
    }));
    return JSON.stringify(items, null, 2) + '\n';
  }
  return renderTable(['ID', 'Pod', 'Namespace', 'Status', 'State'], proxyRows(proxies));
}

export type Pick = { proxy: ProxyInfo } | { error: string };

/** The one proxy whose id starts with `prefix`; none or several is an error naming them. */
export function pickProxy(proxies: ProxyInfo[], prefix: string): Pick {
  if (!/^[0-9a-f]{1,64}$/.test(prefix))
    return { error: `--id must be a hex container id prefix, got "${prefix}"` };
  const hits = proxies.filter((p) => p.id.startsWith(prefix));
  const [first] = hits;
  if (hits.length === 1 && first) return { proxy: first };
  if (hits.length === 0)
    return { error: `no proxy on this node has an id starting with ${prefix}` };
  const list = hits
    .map((p) => `  ${p.id.slice(0, 12)}  ${p.pod.namespace}/${p.pod.name}`)
    .join('\n');
  return { error: `id prefix ${prefix} is ambiguous; it matches:\n${list}` };
}
