// The Kubernetes client factory: in-cluster service account, an explicit --kubeconfig, or
// $KUBECONFIG / ~/.kube/config, in that order of precedence (explicit flag first).
import * as k8s from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { KubeconfigError } from './errors.js';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface KubeSource {
  /** Path from --kubeconfig; wins over everything else. */
  kubeconfig?: string;
  env?: NodeJS.ProcessEnv;
  /** Prefix of the service-account files (`/var/run/secrets/...`); tests point it elsewhere. */
  serviceAccountRoot?: string;
}

export type KubeSourceKind = 'flag' | 'env' | 'in-cluster' | 'default-file';

export function pickKubeSource(src: KubeSource): KubeSourceKind {
  const env = src.env ?? process.env;
  if (src.kubeconfig) return 'flag';
  if (env.KUBECONFIG) return 'env';
  const token = `${src.serviceAccountRoot ?? ''}${SERVICE_ACCOUNT_TOKEN}`;
  if (env.KUBERNETES_SERVICE_HOST && existsSync(token)) return 'in-cluster';
  return 'default-file';
}

function load(kc: k8s.KubeConfig, kind: KubeSourceKind, src: KubeSource): void {
  switch (kind) {
    case 'flag':
      kc.loadFromFile(src.kubeconfig ?? '');
      return;
    case 'in-cluster':
      kc.loadFromCluster(src.serviceAccountRoot);
      return;
    case 'env':
    case 'default-file':
      kc.loadFromDefault();
  }
}

/** Loads a KubeConfig and checks that it names a cluster; throws KubeconfigError otherwise. */
export function loadKubeConfig(src: KubeSource = {}): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  const kind = pickKubeSource(src);
  try {
    load(kc, kind, src);
  } catch (err) {
    const where = kind === 'flag' ? `--kubeconfig ${src.kubeconfig}` : kind;
    throw new KubeconfigError(`cannot load kubeconfig from ${where}: ${String(err)}`, {
      cause: err,
    });
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new KubeconfigError(
      `kubeconfig (${kind}) has no current cluster: set --kubeconfig or KUBECONFIG`,
    );
  }
  return kc;
}

export interface KubeClients {
  config: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  discovery: k8s.DiscoveryV1Api;
  networking: k8s.NetworkingV1Api;
}

export function makeKubeClients(kc: k8s.KubeConfig): KubeClients {
  return {
    config: kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    discovery: kc.makeApiClient(k8s.DiscoveryV1Api),
    networking: kc.makeApiClient(k8s.NetworkingV1Api),
  };
}
