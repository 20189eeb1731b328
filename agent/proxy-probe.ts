// Questions the agent asks a proxy through its admin API, from inside the pod's network namespace
// (the admin listens on 127.0.0.1 there only): is it ready, and has it finished its connections.
import { envoyReady, httpGetInNetns, type NetnsRef } from './probe.js';

export async function proxyReady(
  netns: NetnsRef,
  adminPort: number,
): Promise<{ ready: boolean; detail: string }> {
  const r = await envoyReady(netns, adminPort);
  return { ready: r.ready, detail: r.detail };
}

/** Envoy's gauge of open downstream connections, or undefined when it cannot be read. */
export async function openConnections(
  netns: NetnsRef,
  adminPort: number,
): Promise<number | undefined> {
  const r = await httpGetInNetns(netns, adminPort, '/stats?filter=server.total_connections', {
    timeoutMs: 2000,
  });
  if (!r.ok || r.status !== 200 || !r.body) return undefined;
  const m = /^server\.total_connections: (\d+)$/m.exec(r.body);
  return m ? Number(m[1]) : undefined;
}

/**
 * Waits until the proxy has no open connection, at most `seconds`. Capture is already off, so no
 * new connection arrives; the ones in flight get the time to finish.
 */
export async function drainProxy(
  netns: NetnsRef,
  adminPort: number,
  seconds: number,
): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const open = await openConnections(netns, adminPort);
    if (open === undefined || open === 0) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}
