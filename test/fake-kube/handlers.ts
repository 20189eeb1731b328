// The REST verbs on a resource route: get, list (JSON or Table), watch, create, update, patch,
// delete and deletecollection, with the apiserver's status codes and Status errors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { deleteOptionsFrom } from './deletion.js';
import { methodNotAllowed, pathNotFound, unsupportedMediaType } from './errors.js';
import { decodeDeleteOptions, readObjectBody } from './http/bodies.js';
import { mediaType, readBody, sendJson } from './http/io.js';
import type { JsonObject } from './json.js';
import { nameOf, namespaceOf, resourceVersionOf, type KubeObject } from './kube.js';
import type { ObjectApi } from './objects.js';
import { applyPatch, decodePatchBody, PATCH_TYPES } from './patch/apply.js';
import { SCALABLE, toScale, writeScale } from './scale.js';
import type { ResourceRoute } from './router.js';
import { compileFilter, type ObjectFilter } from './selectors/filter.js';
import type { Store } from './store.js';
import { includeObjectFrom, toTable, wantsTable } from './table.js';
import type { WatchHub } from './watch.js';

export interface HandlerContext {
  api: ObjectApi;
  store: Store;
  watches: WatchHub;
}

interface Call {
  ctx: HandlerContext;
  req: IncomingMessage;
  res: ServerResponse;
  route: ResourceRoute;
  query: URLSearchParams;
}

const TRUE = new Set(['true', '1', 't', 'T', 'TRUE', 'True']);

function ns(route: ResourceRoute): string {
  return route.namespace ?? '';
}

function dryRun(query: URLSearchParams): boolean {
  return query.getAll('dryRun').includes('All');
}

function filterFor(c: Call): ObjectFilter {
  const fieldSelector = [
    c.query.get('fieldSelector') ?? '',
    c.route.name ? `metadata.name=${c.route.name}` : '',
  ]
    .filter((s) => s !== '')
    .join(',');
  return compileFilter(c.route.res, {
    labelSelector: c.query.get('labelSelector') ?? '',
    fieldSelector,
  });
}

function listBody(c: Call, items: KubeObject[], table: boolean): JsonObject {
  const rv = String(c.ctx.store.resourceVersion);
  if (table) return toTable(c.route.res, items, rv, { include: includeObjectFrom(c.query) });
  return {
    kind: `${c.route.res.kind}List`,
    apiVersion: c.route.res.apiVersion,
    metadata: { resourceVersion: rv },
    items,
  };
}

function handleGet(c: Call): void {
  const isWatch = c.route.watchPath || TRUE.has(c.query.get('watch') ?? '');
  if (isWatch) {
    const timeout = Number(c.query.get('timeoutSeconds') ?? '');
    c.ctx.watches.serve(c.res, {
      res: c.route.res,
      namespace: c.route.namespace,
      filter: filterFor(c),
      resourceVersion: c.query.get('resourceVersion') ?? '',
      timeoutSeconds: Number.isFinite(timeout) && timeout > 0 ? timeout : undefined,
      bookmarks: TRUE.has(c.query.get('allowWatchBookmarks') ?? ''),
      sendInitialEvents: TRUE.has(c.query.get('sendInitialEvents') ?? ''),
      table: wantsTable(c.req.headers.accept) ? includeObjectFrom(c.query) : undefined,
    });
    return;
  }
  if (c.route.name !== undefined) {
    const obj = c.ctx.api.mustGet(c.route.res, ns(c.route), c.route.name);
    const body = wantsTable(c.req.headers.accept)
      ? toTable(c.route.res, [obj], resourceVersionOf(obj), { include: includeObjectFrom(c.query) })
      : obj;
    sendJson(c.res, 200, body);
    return;
  }
  const filter = filterFor(c);
  const items = c.ctx.store.list(c.route.res, c.route.namespace).filter(filter);
  sendJson(c.res, 200, listBody(c, items, wantsTable(c.req.headers.accept)));
}

async function handlePost(c: Call): Promise<void> {
  if (c.route.name !== undefined) throw methodNotAllowed('POST');
  const body = await readObjectBody(c.req);
  const created = c.ctx.api.create(c.route.res, c.route.namespace, body, {
    dryRun: dryRun(c.query),
  });
  sendJson(c.res, 201, created);
}

function subresource(c: Call): 'status' | undefined {
  return c.route.subresource === 'status' ? 'status' : undefined;
}

async function handlePut(c: Call): Promise<void> {
  if (c.route.name === undefined) throw methodNotAllowed('PUT');
  const body = await readObjectBody(c.req);
  const opts = { subresource: subresource(c), dryRun: dryRun(c.query) };
  sendJson(c.res, 200, c.ctx.api.replace(c.route.res, ns(c.route), c.route.name, body, opts));
}

async function handlePatch(c: Call): Promise<void> {
  if (c.route.name === undefined) throw methodNotAllowed('PATCH');
  const type = PATCH_TYPES[mediaType(c.req.headers['content-type'])];
  if (!type)
    throw unsupportedMediaType(mediaType(c.req.headers['content-type']), Object.keys(PATCH_TYPES));
  const body = decodePatchBody(type, await readBody(c.req));
  const result = c.ctx.api.patch(c.route.res, ns(c.route), c.route.name, type, body, {
    subresource: subresource(c),
    fieldManager: c.query.get('fieldManager') ?? undefined,
    dryRun: dryRun(c.query),
  });
  sendJson(c.res, result.created ? 201 : 200, result.object);
}

async function handleScale(c: Call): Promise<void> {
  const name = c.route.name ?? '';
  const { api } = c.ctx;
  if (c.req.method === 'GET')
    return sendJson(c.res, 200, toScale(api.mustGet(c.route.res, ns(c.route), name)));
  if (c.req.method === 'PUT') {
    const body = await readObjectBody(c.req);
    return sendJson(
      c.res,
      200,
      writeScale(api, c.route.res, ns(c.route), name, () => body),
    );
  }
  if (c.req.method !== 'PATCH') throw methodNotAllowed(c.req.method ?? '');
  const type = PATCH_TYPES[mediaType(c.req.headers['content-type'])];
  if (!type || type === 'apply')
    throw unsupportedMediaType(mediaType(c.req.headers['content-type']), Object.keys(PATCH_TYPES));
  const body = decodePatchBody(type, await readBody(c.req));
  sendJson(
    c.res,
    200,
    writeScale(api, c.route.res, ns(c.route), name, (cur) => applyPatch(type, cur, body)),
  );
}

async function handleDelete(c: Call): Promise<void> {
  const text = await readBody(c.req);
  const opts = deleteOptionsFrom(decodeDeleteOptions(text), c.query);
  if (c.route.name !== undefined) {
    sendJson(c.res, 200, c.ctx.api.remove(c.route.res, ns(c.route), c.route.name, opts));
    return;
  }
  const filter = filterFor(c);
  const deleted = c.ctx.store
    .list(c.route.res, c.route.namespace)
    .filter(filter)
    .map((o) => c.ctx.api.remove(c.route.res, namespaceOf(o), nameOf(o), opts));
  sendJson(c.res, 200, listBody(c, deleted, false));
}

export async function handleResource(
  ctx: HandlerContext,
  req: IncomingMessage,
  res: ServerResponse,
  route: ResourceRoute,
  query: URLSearchParams,
): Promise<void> {
  const c: Call = { ctx, req, res, route, query };
  if (route.subresource === 'scale' && SCALABLE.has(route.res.plural)) return handleScale(c);
  if (route.subresource !== undefined && !(route.subresource === 'status' && route.res.status))
    throw pathNotFound();
  switch (req.method) {
    case 'GET':
      return handleGet(c);
    case 'POST':
      return handlePost(c);
    case 'PUT':
      return handlePut(c);
    case 'PATCH':
      return handlePatch(c);
    case 'DELETE':
      return handleDelete(c);
    default:
      throw methodNotAllowed(req.method ?? '');
  }
}
