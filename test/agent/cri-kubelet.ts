// The containerd twin of DockerKubelet: every Pod of the fake API is bound to this node and gets
// a CRI pod sandbox with an app container on the private containerd, reported Running with the
// sandbox IP; a deleted Pod's sandbox is stopped and removed. Like kubelet, it recreates a
// sandbox that stopped behind its back (new sandbox id, netns and IP; attempt + 1). The Node
// object says `containerd://<version>`, so an agent with --runtime auto picks containerd.
import type { KubeObject } from '../fake-kube/kube.js';
import type { FakeKube } from '../fake-kube/server.js';
import type { ContainerdHandle } from '../harness/containerd.js';
import { criSandboxStatus, removeCriPod, runCriPod, type CriPod } from '../harness/cri-pods.js';

type Json = Record<string, unknown>;

function meta(o: KubeObject): { name: string; namespace: string; uid: string } {
  const m = (o.metadata ?? {}) as Json;
  return { name: String(m.name), namespace: String(m.namespace), uid: String(m.uid) };
}

export class CriKubelet {
  readonly pods = new Map<string, CriPod>();
  errors: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly fake: FakeKube,
    private readonly ctrd: ContainerdHandle,
    private readonly env: { nodeName: string; runId: string },
  ) {}

  start(periodMs = 100): void {
    this.fake.seed({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: this.env.nodeName },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        nodeInfo: { containerRuntimeVersion: `containerd://${this.ctrd.version}` },
      },
    });
    this.timer = setInterval(() => {
      this.running ??= this.tick().finally(() => (this.running = undefined));
    }, periodMs);
  }

  async sync(): Promise<void> {
    await this.running;
    await this.tick();
  }

  private async tick(): Promise<void> {
    const all = this.fake.list('pods');
    const live = new Set(all.map((p) => meta(p).uid));
    for (const p of all) {
      try {
        await this.step(p);
      } catch (err) {
        this.errors.push(`${meta(p).name}: ${String(err)}`);
      }
    }
    for (const [uid, pod] of this.pods) {
      if (live.has(uid)) continue;
      this.pods.delete(uid);
      await removeCriPod(pod).catch((err: unknown) => this.errors.push(String(err)));
    }
  }

  private async step(p: KubeObject): Promise<void> {
    const spec = (p.spec ?? {}) as Json;
    const m = meta(p);
    if ((p.metadata as Json).deletionTimestamp) {
      const pod = this.pods.get(m.uid);
      this.pods.delete(m.uid);
      if (pod) await removeCriPod(pod);
      this.fake.remove('pods', m.name, m.namespace);
      return;
    }
    if (!spec.nodeName) {
      this.fake.seed({ ...p, spec: { ...spec, nodeName: this.env.nodeName } });
      return;
    }
    if (spec.nodeName !== this.env.nodeName) return;
    const pod = this.pods.get(m.uid);
    if (!pod) return this.startPod(p, m, 0);
    // Only a sandbox CRI reports NOTREADY is replaced (an unanswered call, e.g. while containerd
    // restarts, is not a dead sandbox).
    const s = await criSandboxStatus(this.ctrd, pod.sandboxId).catch(() => undefined);
    if (!s || s.ready) return;
    await removeCriPod(pod);
    this.pods.delete(m.uid);
    await this.startPod(
      p,
      m,
      Number(pod.config.metadata && (pod.config.metadata as Json).attempt) + 1,
    );
  }

  private async startPod(
    p: KubeObject,
    m: { name: string; namespace: string; uid: string },
    attempt: number,
  ): Promise<void> {
    const labels = ((p.metadata as Json).labels ?? {}) as Record<string, string>;
    const pod = await runCriPod(this.ctrd, { ...m, labels, runId: this.env.runId, attempt });
    this.pods.set(m.uid, pod);
    const current = this.fake.get('pods', m.name, m.namespace);
    if (!current) return;
    const now = new Date().toISOString();
    this.fake.seed({
      ...current,
      status: {
        phase: 'Running',
        podIP: pod.ip,
        podIPs: [{ ip: pod.ip }],
        hostIP: '127.0.0.1',
        startTime: now,
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
        containerStatuses: [
          {
            name: 'app',
            ready: true,
            restartCount: attempt,
            image: 'tm-test/busybox:1',
            imageID: '',
            containerID: `containerd://${pod.appId}`,
            state: { running: { startedAt: now } },
          },
        ],
      },
    });
  }

  pod(namespace: string, name: string): CriPod | undefined {
    return [...this.pods.values()].find((p) => p.namespace === namespace && p.name === name);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    for (const pod of this.pods.values()) await removeCriPod(pod).catch(() => undefined);
    this.pods.clear();
  }
}
