// A kubelet (and scheduler) simulation for one or more nodes: registers each Node, binds pending
// pods to the least-loaded eligible simulated node, then reports them Running with pod IPs from
// the node's podCidr (or a custom allocator), Ready conditions and ready container statuses.
// A pod is started once; later status changes (e.g. kubectl patch --subresource=status) stick.
import { randomBytes } from 'node:crypto';
import { asObjects, asString, clone, getIn, type JsonObject } from '../json.js';
import { timestamp, type KubeObject } from '../kube.js';
import type { ObjectApi } from '../objects.js';
import { nodeSelectorMatches, targetNode } from './daemonsets.js';
import { allocate, parseCidr, type Ipv4Range } from './ipam.js';
import { podIPs } from './endpoint-model.js';
import type { Controller } from './runner.js';
import { R, isPodActive, tolerant } from './util.js';
import { nodeObject } from './node.js';

export interface KubeletOptions {
  nodeName: string;
  /** IPv4 CIDR for pod IPs; default 127.0.10.0/24 for the first node, 127.0.11.0/24 for the next… */
  podCidr?: string;
  /** The node's InternalIP and its pods' hostIP (default 127.0.0.1). */
  hostIP?: string;
  /** Custom pod IP allocation (IPv4 and/or IPv6); undefined falls back to podCidr. */
  allocateIp?: (pod: KubeObject) => string | string[] | undefined;
  /** Whether a started pod reports Ready (default: every pod). */
  podReady?: (pod: KubeObject) => boolean;
  nodeLabels?: Record<string, string>;
}

interface SimNode {
  opts: KubeletOptions;
  cidr: string;
  range: Ipv4Range;
  hostIP: string;
  registered: boolean;
}

function condition(type: string, ok: boolean, now: string): JsonObject {
  const c: JsonObject = {
    type,
    status: ok ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: now,
  };
  if (!ok) c.reason = 'ContainersNotReady';
  return c;
}

export class KubeletSim implements Controller {
  readonly name = 'kubelet';
  private readonly nodes: SimNode[];

  constructor(
    private readonly api: ObjectApi,
    options: readonly KubeletOptions[],
  ) {
    this.nodes = options.map((opts, i) => {
      const cidr = opts.podCidr ?? `127.0.${10 + i}.0/24`;
      return {
        opts,
        cidr,
        range: parseCidr(cidr),
        hostIP: opts.hostIP ?? '127.0.0.1',
        registered: false,
      };
    });
  }

  reconcile(): void {
    for (const node of this.nodes.filter((n) => !n.registered)) {
      node.registered = true;
      if (!this.api.store.get(R.nodes, '', node.opts.nodeName)) {
        this.api.create(
          R.nodes,
          undefined,
          nodeObject(node.opts.nodeName, node.hostIP, node.cidr, node.opts.nodeLabels),
          { keepStatus: true },
        );
      }
    }
    this.schedule(this.api.store.list(R.pods));
    for (const pod of this.api.store.list(R.pods)) {
      const node = this.nodes.find((n) => n.opts.nodeName === getIn(pod, ['spec', 'nodeName']));
      const phase = getIn(pod, ['status', 'phase']);
      if (node && isPodActive(pod) && (phase === undefined || phase === 'Pending'))
        tolerant(() => this.start(node, pod));
    }
  }

  private schedule(pods: KubeObject[]): void {
    const load = new Map(
      this.nodes.map((n) => [
        n.opts.nodeName,
        pods.filter((p) => getIn(p, ['spec', 'nodeName']) === n.opts.nodeName).length,
      ]),
    );
    const pending = pods.filter(
      (p) =>
        !getIn(p, ['spec', 'nodeName']) &&
        isPodActive(p) &&
        (getIn(p, ['spec', 'schedulerName']) ?? 'default-scheduler') === 'default-scheduler',
    );
    for (const pod of pending) {
      const candidates = this.nodes.filter((n) => {
        const nodeObj = this.api.store.get(R.nodes, '', n.opts.nodeName);
        const pinned = targetNode(pod);
        return (
          nodeObj !== undefined &&
          nodeSelectorMatches(pod.spec, nodeObj) &&
          (pinned === undefined || pinned === n.opts.nodeName)
        );
      });
      const best = candidates.sort(
        (a, b) => (load.get(a.opts.nodeName) ?? 0) - (load.get(b.opts.nodeName) ?? 0),
      )[0];
      if (!best) continue;
      load.set(best.opts.nodeName, (load.get(best.opts.nodeName) ?? 0) + 1);
      const next = clone(pod);
      (next.spec as JsonObject).nodeName = best.opts.nodeName;
      tolerant(() => this.api.update(R.pods, pod, next));
    }
  }

  private podIPsFor(node: SimNode, pod: KubeObject): string[] {
    if (getIn(pod, ['spec', 'hostNetwork']) === true) return [node.hostIP];
    const custom = node.opts.allocateIp?.(pod);
    if (custom !== undefined) return Array.isArray(custom) ? custom : [custom];
    const used = new Set(
      this.api.store
        .list(R.pods)
        .filter((p) => getIn(p, ['spec', 'nodeName']) === node.opts.nodeName)
        .flatMap(podIPs),
    );
    const ip = allocate(node.range, used);
    if (!ip)
      throw new Error(`fake-kube: pod CIDR ${node.cidr} of node ${node.opts.nodeName} is full`);
    return [ip];
  }

  private start(node: SimNode, pod: KubeObject): void {
    const now = timestamp();
    const ready = node.opts.podReady?.(pod) ?? true;
    const ips = this.podIPsFor(node, pod);
    const containerStatuses = asObjects(getIn(pod, ['spec', 'containers'])).map((c) => ({
      name: c.name ?? '',
      state: { running: { startedAt: now } },
      lastState: {},
      ready,
      restartCount: 0,
      image: c.image ?? '',
      imageID: `${asString(c.image) ?? ''}@sha256:${randomBytes(32).toString('hex')}`,
      containerID: `containerd://${randomBytes(32).toString('hex')}`,
      started: true,
    }));
    const status: JsonObject = {
      phase: 'Running',
      conditions: [
        condition('PodReadyToStartContainers', true, now),
        condition('Initialized', true, now),
        condition('Ready', ready, now),
        condition('ContainersReady', ready, now),
        condition('PodScheduled', true, now),
      ],
      hostIP: node.hostIP,
      hostIPs: [{ ip: node.hostIP }],
      podIP: ips[0],
      podIPs: ips.map((ip) => ({ ip })),
      startTime: now,
      containerStatuses,
      qosClass: 'BestEffort',
    };
    this.api.update(R.pods, pod, { ...clone(pod), status }, { subresource: 'status' });
  }
}
