// Proxy container records of our namespace joined with their tasks (one List call each).
import type { ContainerdApi, NativeContainer, TaskProcess } from './api.js';
import { runtimeError } from './grpc.js';

export interface Records {
  containers: NativeContainer[];
  /** By container id: a task's init process carries the container id as its id. */
  tasks: Map<string, TaskProcess>;
}

export async function listRecords(
  api: ContainerdApi,
  ns: string,
  proxyLabel: string,
): Promise<Records> {
  try {
    const filters = [`labels."${proxyLabel}"==true`];
    const c = await api.containers.unary<{ containers: NativeContainer[] }>(
      'List',
      { filters },
      { ns },
    );
    const t = await api.tasks.unary<{ tasks: TaskProcess[] }>('List', {}, { ns });
    return {
      containers: c.containers,
      tasks: new Map(t.tasks.map((x) => [x.container_id || x.id, x])),
    };
  } catch (err) {
    throw runtimeError('listing proxies', err);
  }
}
