// A kubeconfig that both kubectl and @kubernetes/client-node accept for the plain-http fake.
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  /** Context namespace (default "default"). */
  namespace?: string;
  /** Cluster, user and context name (default "fake"). */
  name?: string;
  token?: string;
}

export function kubeconfigYaml(url: string, opts: KubeconfigOptions = {}): string {
  const name = opts.name ?? 'fake';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name, user: { token: opts.token ?? 'fake-token' } }],
    contexts: [
      { name, context: { cluster: name, user: name, namespace: opts.namespace ?? 'default' } },
    ],
    'current-context': name,
    preferences: {},
  });
}
