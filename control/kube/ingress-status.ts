// Ingress status: each of our Ingresses reports where the gateway listens, in
// status.loadBalancer.ingress: the gateway Service's load-balancer addresses (ip / hostname), or
// its cluster IPs when no load balancer has given it any. A JSON merge patch of the status
// subresource, written only when the Ingress says something else and the same write is not
// already under way (no patch storms: our own write comes back as an unchanged Ingress). An
// Ingress we wrote and that is no longer ours gets its status cleared. Failures are logged.
import * as k8s from '@kubernetes/client-node';
import type { Logger } from '../../lib/log.js';
import type { IngressModel, LoadBalancerAddress, ServiceModel } from '../model/types.js';

export interface IngressStatusApi {
  patchNamespacedIngressStatus(
    p: { name: string; namespace: string; body: object },
    o?: k8s.ConfigurationOptions,
  ): Promise<unknown>;
}

/** The addresses the gateway Service is reachable at; undefined when there is no Service. */
export function gatewayAddresses(svc: ServiceModel | undefined): LoadBalancerAddress[] | undefined {
  if (!svc) return undefined;
  if (svc.loadBalancer && svc.loadBalancer.length > 0) return [...svc.loadBalancer];
  return svc.clusterIPs.map((ip) => ({ ip }));
}

function signature(list: readonly LoadBalancerAddress[] | undefined): string {
  return JSON.stringify((list ?? []).map((a) => [a.ip ?? '', a.hostname ?? '']).sort());
}

export class IngressStatusWriter {
  /**
   * uid → a write we made (`want`) and the status the Ingress had then (`seen`): until the
   * Ingress shows something else than `seen`, the write is still on its way back to us.
   */
  private readonly writing = new Map<string, { want: string; seen: string }>();
  /** uids of Ingresses whose status we set. */
  private readonly written = new Set<string>();
  patches = 0;

  constructor(
    private readonly api: IngressStatusApi,
    private readonly log: Logger,
    /** Asks for another sync after a failed write (after `retryMs`). */
    private readonly again: () => void = () => {},
    private readonly retryMs = 5000,
  ) {}

  /**
   * Sets the status of `ours` to `address` (left alone when undefined: no gateway Service), and
   * clears it on Ingresses we wrote that are not among `ours` any more.
   */
  sync(
    all: Iterable<IngressModel>,
    ours: ReadonlySet<string>,
    address: readonly LoadBalancerAddress[] | undefined,
  ): void {
    const present = new Set<string>();
    for (const i of all) {
      present.add(i.uid);
      if (ours.has(i.uid)) {
        if (address) this.write(i, address);
      } else if (this.written.has(i.uid)) {
        this.write(i, []);
      }
    }
    for (const uid of [...this.written, ...this.writing.keys()]) {
      if (!present.has(uid)) this.forget(uid);
    }
  }

  private write(i: IngressModel, address: readonly LoadBalancerAddress[]): void {
    const want = signature(address);
    const seen = signature(i.status);
    if (seen === want) {
      this.writing.delete(i.uid);
      if (address.length === 0) this.written.delete(i.uid);
      return;
    }
    const w = this.writing.get(i.uid);
    if (w?.want === want && w.seen === seen) return;
    this.writing.set(i.uid, { want, seen });
    this.patches++;
    const body = { status: { loadBalancer: { ingress: address.map((a) => ({ ...a })) } } };
    this.api
      .patchNamespacedIngressStatus(
        { name: i.name, namespace: i.namespace, body },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      )
      .then(
        () => {
          if (address.length > 0) this.written.add(i.uid);
          else this.written.delete(i.uid);
        },
        (err: unknown) => {
          if (this.writing.get(i.uid)?.want === want) this.writing.delete(i.uid);
          setTimeout(this.again, this.retryMs).unref();
          this.log.warn(
            { err: String(err), ingress: `${i.namespace}/${i.name}` },
            'could not write the Ingress status',
          );
        },
      );
  }

  /** Forgets an Ingress that was deleted. */
  forget(uid: string): void {
    this.writing.delete(uid);
    this.written.delete(uid);
  }
}
