// Per proxy and per type: what was sent, what was acknowledged, the last NACK and its error, and
// since when the proxy is connected. Backs /debug/syncz and the envoy-config header.
import type { AckInfo, NackInfo, ResponseInfo, StreamInfo, XdsEvents } from './events.js';
import { typeKey, type TypeUrl } from './types.js';

export interface TypeSync {
  sent?: { version: string; nonce: string; at: string; resources: number; bytes: number };
  acked?: { version: string; at: string };
  nack?: { version: string; error: string; at: string };
}

export interface NodeSync {
  nodeId: string;
  connected: boolean;
  kind?: string;
  peer?: string;
  connectedSince?: string;
  types: Record<string, TypeSync>;
}

export type SyncState = 'SYNCED' | 'STALE' | 'NACKED' | 'NOT SENT';

export function typeState(s: TypeSync | undefined): SyncState {
  if (!s?.sent) return 'NOT SENT';
  if (s.nack && s.nack.version === s.sent.version) return 'NACKED';
  return s.acked?.version === s.sent.version ? 'SYNCED' : 'STALE';
}

export class SyncStatus implements XdsEvents {
  private readonly nodes = new Map<string, NodeSync>();
  private readonly streams = new Map<string, number>();

  private node(id: string): NodeSync {
    let n = this.nodes.get(id);
    if (!n) {
      n = { nodeId: id, connected: false, types: {} };
      this.nodes.set(id, n);
    }
    return n;
  }

  private type(id: string, url: TypeUrl): TypeSync {
    const n = this.node(id);
    const k = typeKey(url);
    return (n.types[k] ??= {});
  }

  streamOpened(s: StreamInfo): void {
    const n = this.node(s.nodeId);
    Object.assign(n, {
      connected: true,
      kind: s.kind,
      peer: s.peer,
      connectedSince: new Date().toISOString(),
    });
    this.streams.set(s.nodeId, (this.streams.get(s.nodeId) ?? 0) + 1);
  }

  streamClosed(s: StreamInfo): void {
    const left = (this.streams.get(s.nodeId) ?? 1) - 1;
    this.streams.set(s.nodeId, left);
    if (left <= 0) this.node(s.nodeId).connected = false;
  }

  responseSent(r: ResponseInfo): void {
    const at = new Date().toISOString();
    this.type(r.nodeId, r.typeUrl).sent = {
      version: r.version,
      nonce: r.nonce,
      at,
      resources: r.resources,
      bytes: r.bytes,
    };
  }

  ack(a: AckInfo): void {
    this.type(a.nodeId, a.typeUrl).acked = { version: a.version, at: new Date().toISOString() };
  }

  nack(n: NackInfo): void {
    this.type(n.nodeId, n.typeUrl).nack = {
      version: n.version,
      error: n.error,
      at: new Date().toISOString(),
    };
  }

  get(nodeId: string): NodeSync | undefined {
    return this.nodes.get(nodeId);
  }

  all(): NodeSync[] {
    return [...this.nodes.values()].sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  }

  /** Forgets disconnected nodes that no longer have a snapshot. */
  prune(keep: (nodeId: string) => boolean): void {
    for (const [id, n] of this.nodes) if (!n.connected && !keep(id)) this.nodes.delete(id);
  }
}
