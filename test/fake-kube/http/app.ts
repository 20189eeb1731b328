// The request entry point: request log, injected failures, static endpoints (version, health,
// discovery, OpenAPI) and resource routes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { discoveryDocument, isHealthPath, VERSION_INFO } from '../discovery.js';
import { injected, pathNotFound, type KubeError } from '../errors.js';
import { handleResource, type HandlerContext } from '../handlers.js';
import { openApiDocument, openApiIndex } from '../openapi.js';
import { routeResource } from '../router.js';
import { sendError, sendJson, sendText } from './io.js';

export interface RequestRecord {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  /** Path and query, as sent. */
  url: string;
  contentType?: string;
  accept?: string;
  userAgent?: string;
  /** The response status, once the response is finished. */
  status?: number;
}

export interface FailureRule {
  method: string;
  path: RegExp | string;
  status: number;
  times: number;
  message?: string;
}

export interface AppState extends HandlerContext {
  requests: RequestRecord[];
  maxRequests: number;
  failures: FailureRule[];
  serverAddress: () => string;
}

function record(state: AppState, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const entry: RequestRecord = {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    url: `${url.pathname}${url.search}`,
    contentType: req.headers['content-type'],
    accept: req.headers.accept,
    userAgent: req.headers['user-agent'],
  };
  state.requests.push(entry);
  if (state.requests.length > state.maxRequests)
    state.requests.splice(0, state.requests.length - state.maxRequests);
  res.on('finish', () => {
    entry.status = res.statusCode;
  });
}

function takeFailure(state: AppState, method: string, url: URL): KubeError | undefined {
  const target = `${url.pathname}${url.search}`;
  const idx = state.failures.findIndex(
    (f) =>
      (f.method === '*' || f.method.toUpperCase() === method) &&
      (typeof f.path === 'string' ? url.pathname === f.path : f.path.test(target)),
  );
  if (idx === -1) return undefined;
  const rule = state.failures[idx];
  rule.times -= 1;
  if (rule.times <= 0) state.failures.splice(idx, 1);
  return injected(rule.status, rule.message);
}

async function dispatch(
  state: AppState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
  if (path === '/version') return sendJson(res, 200, VERSION_INFO);
  if (isHealthPath(path)) return sendText(res, 200, 'ok');
  if (path === '/openapi/v3') return sendJson(res, 200, openApiIndex());
  if (path.startsWith('/openapi/v3/')) {
    const doc = openApiDocument(path.slice('/openapi/v3/'.length));
    if (doc) return sendJson(res, 200, doc);
    throw pathNotFound();
  }
  const discovery = discoveryDocument(path, state.serverAddress());
  if (discovery) return sendJson(res, 200, discovery);
  const route = routeResource(path);
  if (!route) throw pathNotFound();
  await handleResource(state, req, res, route, url.searchParams);
}

export async function handleRequest(
  state: AppState,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fake-kube');
  record(state, req, res, url);
  try {
    const failure = takeFailure(state, req.method ?? 'GET', url);
    if (failure) {
      req.resume();
      throw failure;
    }
    await dispatch(state, req, res, url);
  } catch (err) {
    sendError(res, err);
  }
}
