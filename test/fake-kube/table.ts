// Server-side printing: meta.k8s.io/v1 Table responses for `kubectl get`, with the columns the
// real apiserver prints for the kinds tests look at, and Name/Age for the rest.
import { type JsonObject } from './json.js';
import { metadataOf, type KubeObject } from './kube.js';
import type { ResourceDef } from './registry.js';
import type { Column } from './table-base.js';
import { columnsFor } from './table-columns.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** The Accept header asks for a Table (kubectl get). */
export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((part) => /;\s*as=Table/.test(part));
}

export function includeObjectFrom(query: URLSearchParams): IncludeObject {
  const v = query.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

function definition(c: Column): JsonObject {
  return {
    name: c.name,
    type: c.type ?? 'string',
    format: c.format ?? '',
    description: c.description ?? '',
    priority: c.priority ?? 0,
  };
}

function rowObject(obj: KubeObject, include: IncludeObject): JsonObject | undefined {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: metadataOf(obj) };
}

export interface TableOptions {
  include: IncludeObject;
  /** Leave out columnDefinitions (watch events after the first). */
  noHeaders?: boolean;
  now?: Date;
}

export function toTable(
  res: ResourceDef,
  objects: KubeObject[],
  resourceVersion: string,
  opts: TableOptions,
): JsonObject {
  const columns = columnsFor(res);
  const now = opts.now ?? new Date();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: opts.noHeaders ? [] : columns.map(definition),
    rows: objects.map((obj) => ({
      cells: columns.map((c) => c.cell(obj, now)),
      object: rowObject(obj, opts.include),
    })),
  };
}
