// Public entry point of the fake Kubernetes API server.
export { createFakeKube } from './server.js';
export type { FailNextOptions, FakeKube, FakeKubeOptions } from './server.js';
export type { ControllerToggles } from './controllers/index.js';
export type { KubeletOptions } from './controllers/kubelet.js';
export type { RequestRecord } from './http/app.js';
export type { KubeObject } from './kube.js';
export type { KubeconfigOptions } from './kubeconfig.js';
export type { ListQuery } from './test-hooks.js';
