// Rendering one proxy's config dump for people: a sync-state header like istioctl
// proxy-status, then the resources as YAML (or JSON), grouped by type.
import { stringify } from 'yaml';

export interface TypeDump {
  version: string;
  state: string;
  nack?: string;
  resources: unknown[];
}

export interface Dump {
  node: string;
  connected: boolean;
  types: Record<string, TypeDump>;
}

const PLURAL: Record<string, string> = {
  listener: 'listeners',
  route: 'routes',
  cluster: 'clusters',
  endpoint: 'endpoints',
  secret: 'secrets',
};

export function header(d: Dump): string {
  const lines = [`# node ${d.node} (${d.connected ? 'connected' : 'not connected'})`];
  for (const [type, t] of Object.entries(d.types)) {
    const nack = t.nack && t.state === 'NACKED' ? `: ${t.nack}` : '';
    lines.push(`# ${type.padEnd(9)} ${t.state.padEnd(8)} ${t.version}${nack}`);
  }
  return lines.join('\n');
}

export function render(d: Dump, output: 'yaml' | 'json'): string {
  const body = Object.fromEntries(
    Object.entries(d.types).map(([k, t]) => [PLURAL[k] ?? k, t.resources]),
  );
  if (output === 'json')
    return `${JSON.stringify({ node: d.node, connected: d.connected, types: d.types }, null, 2)}\n`;
  return `${header(d)}\n${stringify(body, { lineWidth: 0 })}`;
}

export function unknownNodeMessage(node: string, known: string[]): string {
  const list =
    known.length > 0
      ? `known node ids: ${known.join(', ')}`
      : 'no proxy is known to the control plane yet';
  return [
    `envoy-config: no proxy with node id "${node}".`,
    'Node ids are <pod>.<namespace>, e.g. reviews-v2-7d9c8b6f5-x2x4k.default;',
    list,
    '(envoy-config --list shows them, as does: kubectl get pods -A -l traffic.envoy.enabled=true)',
  ].join('\n');
}
