// Maps a request path onto a resource route: collection, object or subresource, the namespace,
// and the legacy /watch/ path prefix.
import { byPlural, type ResourceDef } from './registry.js';

export interface ResourceRoute {
  res: ResourceDef;
  /** Set for namespaced paths (/namespaces/{ns}/...); undefined means all namespaces. */
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The deprecated /watch/ path form. */
  watchPath: boolean;
}

function splitGroupVersion(segments: string[]): { apiVersion: string; rest: string[] } | undefined {
  if (segments[0] === 'api' && segments[1] === 'v1')
    return { apiVersion: 'v1', rest: segments.slice(2) };
  if (segments[0] === 'apis' && segments.length >= 3) {
    return { apiVersion: `${segments[1]}/${segments[2]}`, rest: segments.slice(3) };
  }
  return undefined;
}

function namespacedRoute(
  apiVersion: string,
  rest: string[],
  watchPath: boolean,
): ResourceRoute | undefined {
  const res = byPlural(apiVersion, rest[2]);
  if (!res?.namespaced || rest.length > 5) return undefined;
  return { res, namespace: rest[1], name: rest[3], subresource: rest[4], watchPath };
}

function clusterRoute(
  apiVersion: string,
  rest: string[],
  watchPath: boolean,
): ResourceRoute | undefined {
  const res = byPlural(apiVersion, rest[0]);
  if (!res || rest.length > 3) return undefined;
  if (res.namespaced && rest.length > 1) return undefined;
  return { res, name: rest[1], subresource: rest[2], watchPath };
}

/** The resource route for a path, or undefined (a 404). */
export function routeResource(pathname: string): ResourceRoute | undefined {
  const segments = pathname
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  const gv = splitGroupVersion(segments);
  if (!gv || gv.rest.length === 0) return undefined;
  let rest = gv.rest;
  const watchPath = rest[0] === 'watch';
  if (watchPath) rest = rest.slice(1);
  if (
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    byPlural(gv.apiVersion, rest[2])?.namespaced
  ) {
    return namespacedRoute(gv.apiVersion, rest, watchPath);
  }
  return clusterRoute(gv.apiVersion, rest, watchPath);
}
