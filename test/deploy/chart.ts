// The Helm chart under test: helm lint and helm template with the pinned helm 4 (never PATH's),
// the rendered documents parsed with `yaml`, and small lookups the policy tests share.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { parseAllDocuments } from 'yaml';
import { ensureBinaries } from '../support/binaries.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHART = join(ROOT, 'deploy', 'helm', 'traffic-manager');
export const MANIFEST = join(ROOT, 'deploy', 'manifests', 'traffic-manager.yaml');
export const RELEASE = 'traffic-manager';
export const NAMESPACE = 'traffic-system';
export const PART_OF = 'app.kubernetes.io/part-of';

/** Lines the committed plain manifest starts with, before the rendered chart. */
export const MANIFEST_HEADER = [
  '# traffic-manager, the Helm chart deploy/helm/traffic-manager rendered with its default values',
  '# into the namespace traffic-system. Generated: do not edit. Regenerate with',
  '#   node --import tsx test/deploy/render.ts > deploy/manifests/traffic-manager.yaml',
  '# Apply with: kubectl create namespace traffic-system && kubectl apply -f <this file>',
  '',
].join('\n');

/** The values of the "everything non-default" render the tests use. */
export const ALT_VALUES = [
  'zipkin.enabled=true',
  'prometheus.enabled=true',
  'agent.runtime=containerd',
  'ingress.enabled=false',
  'agent.privileged=true',
];

/** Any Kubernetes object, loosely typed: the tests walk it with optional chaining. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

export interface HelmResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** The pinned helm, with its cache, config and data kept under .cache/helm. */
export async function helm(args: string[]): Promise<HelmResult> {
  const { helm: bin } = ensureBinaries();
  if (!existsSync(bin)) throw new Error(`helm is missing at ${bin}`);
  const home = join(ROOT, '.cache', 'helm');
  const r = await execa(bin, args, {
    reject: false,
    timeout: 120_000,
    env: {
      HELM_CACHE_HOME: join(home, 'cache'),
      HELM_CONFIG_HOME: join(home, 'config'),
      HELM_DATA_HOME: join(home, 'data'),
    },
  });
  return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode ?? -1 };
}

function setArgs(values: readonly string[]): string[] {
  return values.flatMap((v) => ['--set', v]);
}

/** `helm template` output; throws with helm's message when rendering fails. */
export async function renderText(values: readonly string[] = []): Promise<string> {
  const r = await helm(['template', RELEASE, CHART, '--namespace', NAMESPACE, ...setArgs(values)]);
  if (r.exitCode !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  return r.stdout;
}

/**
 * What deploy/manifests/traffic-manager.yaml must contain: the header and the default render,
 * formatted as the repository formats YAML (prettier only changes quoting and the final newline;
 * the manifests test checks that the documents are the same as helm's).
 */
export async function plainManifest(): Promise<string> {
  const options = (await prettier.resolveConfig(MANIFEST)) ?? {};
  return prettier.format(MANIFEST_HEADER + (await renderText()), {
    ...options,
    filepath: MANIFEST,
  });
}

export function parseDocs(text: string): Obj[] {
  const out: Obj[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`invalid YAML: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    if (value !== null && typeof value === 'object') out.push(value);
  }
  return out;
}

export async function render(values: readonly string[] = []): Promise<Obj[]> {
  return parseDocs(await renderText(values));
}

export function find(docs: Obj[], kind: string, name: string): Obj {
  const found = docs.find((d) => d.kind === kind && d.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name} rendered`);
  return found;
}

export function has(docs: Obj[], kind: string, name: string): boolean {
  return docs.some((d) => d.kind === kind && d.metadata?.name === name);
}

const WORKLOADS = new Set(['Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'Job']);

/** [object, its pod template] for every workload rendered. */
export function podTemplates(docs: Obj[]): [Obj, Obj][] {
  return docs.filter((d) => WORKLOADS.has(d.kind)).map((d) => [d, d.spec?.template ?? {}]);
}

export function container(workload: Obj, name: string): Obj {
  const c = (workload.spec?.template?.spec?.containers ?? []).find((x: Obj) => x.name === name);
  if (!c) throw new Error(`no container ${name} in ${workload.kind} ${workload.metadata?.name}`);
  return c;
}

/** A container's plain env values (valueFrom entries give their fieldPath). */
export function envOf(c: Obj): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of c.env ?? []) {
    out[e.name] = e.value ?? e.valueFrom?.fieldRef?.fieldPath ?? '';
  }
  return out;
}

export interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

export function rulesOf(docs: Obj[], clusterRole: string): Rule[] {
  return (find(docs, 'ClusterRole', clusterRole).rules ?? []) as Rule[];
}

export const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'];
export const READ_VERBS = ['get', 'list', 'watch'];
