// Ingress tls sections → the HTTPS listener's certificate chains and the SDS Secrets they name.
// A Secret is read only in the Ingress's own namespace. Each SNI host gets one certificate: the
// first Ingress (by namespace/name) to claim it keeps it; a tls entry without hosts gives the
// default certificate (for any other SNI), again the first one wins. A Secret whose watch has not
// listed yet is left out quietly (it arrives in a moment); a missing or unusable one is reported.
import type { ClusterModel, IngressModel, ObjectKey } from '../../model/types.js';
import type { Named } from '../service.js';
import type { TlsChain } from './listeners.js';
import { tlsSecret } from './secrets.js';

export type Report = (ing: IngressModel, key: string, value: string, message: string) => void;

export interface TlsResult {
  chains: TlsChain[];
  secrets: Named[];
}

/** '' stands for the default certificate (a tls entry without hosts). */
const DEFAULT = '';

interface Claims {
  /** SNI host → SDS name and the Ingress that claimed it. */
  hosts: Map<string, { secret: string; owner: string }>;
  secrets: Map<string, Named>;
}

function listed(model: ClusterModel, key: ObjectKey): boolean {
  return model.secretsListed === undefined || model.secretsListed.has(key);
}

function claim(
  c: Claims,
  ing: IngressModel,
  where: string,
  hosts: readonly string[],
  secret: string,
  report: Report,
): void {
  const owner = `${ing.namespace}/${ing.name}`;
  for (const host of hosts.length > 0 ? hosts : [DEFAULT]) {
    const had = c.hosts.get(host);
    if (!had) c.hosts.set(host, { secret, owner });
    else if (had.secret !== secret) {
      const what = host === DEFAULT ? 'the default certificate' : `TLS host ${host}`;
      report(
        ing,
        where,
        host,
        `${what} is already served with Secret ${had.secret} of Ingress ${had.owner}; ignored here`,
      );
    }
  }
}

function entry(c: Claims, model: ClusterModel, ing: IngressModel, i: number, report: Report): void {
  const t = ing.tls[i];
  const where = `spec.tls[${i}]`;
  if (!t) return;
  if (!t.secretName) {
    report(ing, where, '', 'names no secretName: its hosts get no certificate');
    return;
  }
  const key = `${ing.namespace}/${t.secretName}`;
  if (!listed(model, key)) return;
  const secret = model.secrets.get(key);
  if (!secret) {
    report(ing, `${where}.secretName`, t.secretName, `TLS Secret ${key} does not exist`);
    return;
  }
  const r = tlsSecret(secret);
  if ('error' in r) {
    report(ing, `${where}.secretName`, t.secretName, r.error);
    return;
  }
  c.secrets.set(r.ok.name, r.ok);
  claim(c, ing, where, t.hosts, r.ok.name, report);
}

function chainsOf(c: Claims): TlsChain[] {
  const bySecret = new Map<string, string[]>();
  const defaults: TlsChain[] = [];
  for (const [host, { secret }] of c.hosts) {
    if (host === DEFAULT) defaults.push({ secret, hosts: [] });
    else bySecret.set(secret, [...(bySecret.get(secret) ?? []), host]);
  }
  const named = [...bySecret.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([secret, hosts]) => ({ secret, hosts: hosts.sort() }));
  return [...named, ...defaults];
}

export function tlsChains(
  model: ClusterModel,
  ingresses: readonly IngressModel[],
  report: Report,
): TlsResult {
  const c: Claims = { hosts: new Map(), secrets: new Map() };
  for (const ing of ingresses)
    for (let i = 0; i < ing.tls.length; i++) entry(c, model, ing, i, report);
  const chains = chainsOf(c);
  const used = new Set(chains.map((ch) => ch.secret));
  const secrets = [...c.secrets.values()]
    .filter((s) => used.has(s.name))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  return { chains, secrets };
}
