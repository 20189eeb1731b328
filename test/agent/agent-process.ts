// traffic-agent as a real process (the bin), for tests that SIGKILL it. Stopped by pid in
// teardown; its output is kept for the failure message.
import { execa, type ResultPromise } from 'execa';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentConfig } from '../../agent/config.js';

/** What running the agent as a process needs of a test environment. */
export interface ProcessEnv {
  config: AgentConfig;
  kubeconfig: string;
  runtimeArgs: string[];
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface AgentProcess {
  pid: number;
  output(): string;
  /** Resolves once the agent logged that it started (watches synced, first resync queued). */
  started: Promise<void>;
  kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
}

export function agentArgs(e: ProcessEnv): string[] {
  const c = e.config;
  return [
    ...['--node-name', c.nodeName, '--kubeconfig', e.kubeconfig],
    ...e.runtimeArgs,
    ...['--proxy-image', c.proxyImage],
    ...Object.entries(c.proxyLabels).flatMap(([k, v]) => ['--proxy-label', `${k}=${v}`]),
    ...['--resync', '1s', '--ready-timeout', '20s', '--drain-seconds', '0', '--metrics-port', '0'],
    ...['--log-level', process.env.TM_TEST_LOG ?? 'info'],
  ];
}

/** `built`: run the compiled dist/agent/main.js (what ships) instead of the sources under tsx. */
export function spawnAgent(
  e: ProcessEnv,
  t: { teardown(fn: () => unknown): void },
  opts: { built?: boolean } = {},
): AgentProcess {
  const entry = opts.built
    ? [join(root, 'dist', 'agent', 'main.js')]
    : ['--import', 'tsx', join(root, 'agent', 'main.ts')];
  const sub: ResultPromise = execa(process.execPath, [...entry, ...agentArgs(e)], {
    cwd: root,
    reject: false,
    all: true,
    buffer: true,
    stdin: 'ignore',
  });
  let out = '';
  let onStarted: () => void = () => {};
  const started = new Promise<void>((r) => (onStarted = r));
  sub.all?.on('data', (c: Buffer) => {
    out = (out + c.toString()).slice(-20_000);
    if (out.includes('traffic-agent started')) onStarted();
  });
  void sub.then(() => onStarted());
  const pid = sub.pid ?? 0;
  const kill = async (signal: 'SIGKILL' | 'SIGTERM'): Promise<void> => {
    if (sub.exitCode === undefined || sub.exitCode === null) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
    await sub;
  };
  t.teardown(() => kill('SIGKILL'));
  return { pid, output: () => out, started, kill };
}
