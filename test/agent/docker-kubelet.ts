// A kubelet for one node of the fake API whose pods are real: every Pod the fake's controllers
// create (or a test applies) is bound to this node, gets a dockershim-style sandbox and an app
// container in the private Docker engine, and is reported Running with the sandbox's IP. A Pod
// deleted from the API loses its containers, as kubelet would do. Bounded polling, stopped in
// teardown, which also removes every container it made.
import type { FakeKube } from '../fake-kube/server.js';
import type { KubeObject } from '../fake-kube/kube.js';
import { addAppContainer, createPod, removePod } from '../harness/pods.js';
import type { Pod, PodEnv, RestartPolicy } from '../harness/pods.js';

type Json = Record<string, unknown>;

function meta(o: KubeObject): { name: string; namespace: string; uid: string } {
  const m = (o.metadata ?? {}) as Json;
  return { name: String(m.name), namespace: String(m.namespace), uid: String(m.uid) };
}

export class DockerKubelet {
  readonly pods = new Map<string, Pod>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  errors: string[] = [];

  constructor(
    private readonly fake: FakeKube,
    private readonly env: PodEnv,
    /** 'always' makes sandboxes come back after an engine restart (with a new netns). */
    private readonly restartPolicy: RestartPolicy = 'no',
  ) {}

  start(periodMs = 100): void {
    this.fake.seed({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: this.env.nodeName },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    });
    this.timer = setInterval(() => {
      this.running ??= this.tick().finally(() => (this.running = undefined));
    }, periodMs);
  }

  /** Runs one pass now (after any pass in progress). */
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
      await removePod(pod).catch((err: unknown) => this.errors.push(String(err)));
    }
  }

  private async step(p: KubeObject): Promise<void> {
    const spec = (p.spec ?? {}) as Json;
    const m = meta(p);
    const md = p.metadata as Json;
    if (md.deletionTimestamp) {
      const pod = this.pods.get(m.uid);
      this.pods.delete(m.uid);
      if (pod) await removePod(pod);
      this.fake.remove('pods', m.name, m.namespace);
      return;
    }
    if (!spec.nodeName) {
      this.fake.seed({ ...p, spec: { ...spec, nodeName: this.env.nodeName } });
      return;
    }
    if (spec.nodeName !== this.env.nodeName || this.pods.has(m.uid)) return;
    await this.startPod(p, m);
  }

  private async startPod(
    p: KubeObject,
    m: { name: string; namespace: string; uid: string },
  ): Promise<void> {
    const labels = ((p.metadata as Json).labels ?? {}) as Record<string, string>;
    const restartPolicy = this.restartPolicy;
    const pod = await createPod(this.env, { ...m, labels, restartPolicy });
    this.pods.set(m.uid, pod);
    await addAppContainer(pod, { name: 'app', cmd: ['sleep', '3600'], restartPolicy });
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
            restartCount: 0,
            image: 'tm-test/busybox:1',
            imageID: '',
            containerID: `docker://${pod.containers[0]?.id ?? ''}`,
            state: { running: { startedAt: now } },
          },
        ],
      },
    });
  }

  /** The harness pod behind a Pod object, once started. */
  pod(namespace: string, name: string): Pod | undefined {
    return [...this.pods.values()].find((p) => p.namespace === namespace && p.name === name);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    for (const pod of this.pods.values()) await removePod(pod).catch(() => undefined);
    this.pods.clear();
  }
}
