// createFakeKube(): an in-process fake Kubernetes API server on 127.0.0.1 that kubectl 1.33 and
// @kubernetes/client-node 1.4 both work against, with controllers and test hooks.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildControllers, type ControllerToggles } from './controllers/index.js';
import type { KubeletOptions } from './controllers/kubelet.js';
import { ControllerRunner } from './controllers/runner.js';
import { handleRequest, type AppState, type FailureRule, type RequestRecord } from './http/app.js';
import type { KubeObject } from './kube.js';
import { kubeconfigYaml, type KubeconfigOptions } from './kubeconfig.js';
import { ObjectApi } from './objects.js';
import { Store } from './store.js';
import {
  bootstrap,
  getObject,
  listObjects,
  removeObject,
  seedObjects,
  type ListQuery,
} from './test-hooks.js';
import { WatchHub } from './watch.js';

export interface FakeKubeOptions {
  /** Port to listen on (default 0: a free port). */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Watch events kept for resuming from a resourceVersion (default 10000); small values force 410s. */
  historySize?: number;
  /** Period of BOOKMARK events on watches that allow them (default 5000 ms; 0 = only on demand). */
  bookmarkIntervalMs?: number;
  /** false turns every controller off; an object switches them one by one (all on by default). */
  controllers?: boolean | ControllerToggles;
  /** Simulated kubelet(s): schedule and start pods on these nodes (off by default). */
  kubelet?: KubeletOptions | readonly KubeletOptions[];
  /** Objects to load before serving (see seed()). */
  seed?: readonly KubeObject[];
  /** Request log length (default 5000). */
  maxRequestLog?: number;
}

export interface FailNextOptions {
  /** How many matching requests fail (default 1). */
  times?: number;
  message?: string;
}

export interface FakeKube {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** Requests received, oldest first (bounded by maxRequestLog). */
  readonly requests: RequestRecord[];
  /** Number of watch streams currently open. */
  readonly openWatches: number;
  /** The latest resourceVersion. */
  readonly resourceVersion: string;
  kubeconfigYaml(opts?: KubeconfigOptions): string;
  /** Writes the kubeconfig file and returns its path. */
  writeKubeconfig(path: string, opts?: KubeconfigOptions): string;
  /** Sends ERROR 410 Expired on every open watch and closes it. */
  expireWatches(): void;
  /** Ends every open watch cleanly (clients reconnect from their last resourceVersion). */
  closeWatches(): void;
  /** Sends a BOOKMARK now on every watch that allowed bookmarks. */
  sendBookmarks(): void;
  /** The next `times` requests whose method matches and whose path (string: exact pathname; RegExp: tested against path+query) matches fail with `status`. */
  failNext(method: string, path: RegExp | string, status: number, opts?: FailNextOptions): void;
  /** Creates or updates objects as given, status included; creates missing namespaces. Returns the stored objects. */
  seed(objects: KubeObject | readonly KubeObject[]): KubeObject[];
  /** A copy of one stored object. `resource` is a plural, kind, short name or plural.group. */
  get(resource: string, name: string, namespace?: string): KubeObject | undefined;
  list(resource: string, query?: ListQuery): KubeObject[];
  /** Deletes an object like a DELETE request would; returns false if it did not exist. */
  remove(resource: string, name: string, namespace?: string): boolean;
  /** Resolves once the controllers have caught up with every change so far. */
  settle(): Promise<void>;
  /** Stops controllers, ends watches and connections, and closes the listener. */
  close(): Promise<void>;
}

async function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}

export async function createFakeKube(opts: FakeKubeOptions = {}): Promise<FakeKube> {
  const store = new Store(opts.historySize ?? 10000);
  const api = new ObjectApi(store);
  const watches = new WatchHub(store, opts.bookmarkIntervalMs ?? 5000);
  const host = opts.host ?? '127.0.0.1';
  let address = '';
  const state: AppState = {
    api,
    store,
    watches,
    requests: [],
    maxRequests: opts.maxRequestLog ?? 5000,
    failures: [],
    serverAddress: () => address,
  };
  bootstrap(api);
  if (opts.seed) seedObjects(api, opts.seed);
  const kubelets =
    opts.kubelet === undefined
      ? []
      : Array.isArray(opts.kubelet)
        ? opts.kubelet
        : [opts.kubelet as KubeletOptions];
  const controllers = new ControllerRunner(
    store,
    opts.controllers === false ? [] : buildControllers(api, opts.controllers, kubelets),
  );
  const server = createServer((req, res) => void handleRequest(state, req, res));
  const info = await listen(server, opts.port ?? 0, host);
  address = `${host}:${info.port}`;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${info.port}`;
  controllers.start();
  let closed = false;
  return {
    url,
    port: info.port,
    requests: state.requests,
    get openWatches() {
      return watches.count;
    },
    get resourceVersion() {
      return String(store.resourceVersion);
    },
    kubeconfigYaml: (o) => kubeconfigYaml(url, o),
    writeKubeconfig(path, o) {
      writeFileSync(path, kubeconfigYaml(url, o), { mode: 0o600 });
      return path;
    },
    expireWatches: () => watches.expireAll(),
    closeWatches: () => watches.closeAll(),
    sendBookmarks: () => watches.bookmarkAll(),
    failNext(method, path, status, o = {}) {
      const rule: FailureRule = { method, path, status, times: o.times ?? 1, message: o.message };
      state.failures.push(rule);
    },
    seed: (objects) => seedObjects(api, Array.isArray(objects) ? objects : [objects as KubeObject]),
    get: (resource, name, namespace) => getObject(api, resource, name, namespace),
    list: (resource, query) => listObjects(api, resource, query),
    remove: (resource, name, namespace) => removeObject(api, resource, name, namespace),
    settle: () => controllers.settle(),
    async close() {
      if (closed) return;
      closed = true;
      controllers.stop();
      watches.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
