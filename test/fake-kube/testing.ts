// Test support for the fake: a started server with a temp kubeconfig and cache dir, a kubectl
// runner (the pinned 1.33 binary, argument arrays, no shell), a client-node KubeConfig, waitFor.
import * as k8s from '@kubernetes/client-node';
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBinaries } from '../support/binaries.js';
import type { KubeObject } from './kube.js';
import { createFakeKube, type FakeKube, type FakeKubeOptions } from './server.js';

export interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface KubectlResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface Harness {
  fake: FakeKube;
  dir: string;
  kubeconfig: string;
  kc: k8s.KubeConfig;
  kubectl: (args: string[], opts?: { input?: string }) => Promise<KubectlResult>;
}

export async function startFake(t: Teardown, opts: FakeKubeOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'fake-kube-'));
  const fake = await createFakeKube(opts);
  t.teardown(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const kubeconfig = fake.writeKubeconfig(join(dir, 'kubeconfig.yaml'));
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  const { kubectl: bin } = ensureBinaries();
  const env = { KUBECACHEDIR: join(dir, 'cache'), HOME: dir, KUBECONFIG: kubeconfig };
  const kubectl = async (args: string[], o: { input?: string } = {}): Promise<KubectlResult> => {
    const r = await execa(bin, ['--kubeconfig', kubeconfig, ...args], {
      env,
      reject: false,
      input: o.input,
      timeout: 60_000,
    });
    return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode ?? -1 };
  };
  return { fake, dir, kubeconfig, kc, kubectl };
}

/** Polls until `fn` returns something truthy; throws with `what` after the timeout. */
export async function waitFor<T>(
  what: string,
  fn: () => T | Promise<T>,
  timeoutMs = 10_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A stored object viewed as a client-node model type (the shapes match; timestamps stay strings). */
export function as<T>(obj: KubeObject | undefined): T {
  if (obj === undefined) throw new Error('expected an object, found none');
  return obj as unknown as T;
}
