// apiserver-style failures: each becomes a meta/v1 Status body with the real reasons and messages.
import type { JsonObject } from './json.js';
import { qualifiedKind, qualifiedName, type ResourceDef } from './registry.js';

export class KubeError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: JsonObject,
  ) {
    super(message);
    this.name = 'KubeError';
  }

  toStatus(): JsonObject {
    return statusBody(this.code, this.reason, this.message, this.details);
  }
}

export function statusBody(
  code: number,
  reason: string,
  message: string,
  details?: JsonObject,
): JsonObject {
  const body: JsonObject = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
  };
  if (details) body.details = details;
  body.code = code;
  return body;
}

function resourceDetails(res: ResourceDef, name: string): JsonObject {
  const details: JsonObject = { name };
  if (res.group !== '') details.group = res.group;
  details.kind = res.plural;
  return details;
}

export function notFound(res: ResourceDef, name: string): KubeError {
  return new KubeError(
    404,
    'NotFound',
    `${qualifiedName(res)} "${name}" not found`,
    resourceDetails(res, name),
  );
}

export function namespaceNotFound(namespace: string): KubeError {
  return new KubeError(404, 'NotFound', `namespaces "${namespace}" not found`, {
    name: namespace,
    kind: 'namespaces',
  });
}

export function alreadyExists(res: ResourceDef, name: string): KubeError {
  return new KubeError(
    409,
    'AlreadyExists',
    `${qualifiedName(res)} "${name}" already exists`,
    resourceDetails(res, name),
  );
}

export function conflict(res: ResourceDef, name: string, why?: string): KubeError {
  const reason =
    why ??
    'the object has been modified; please apply your changes to the latest version and try again';
  return new KubeError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedName(res)} "${name}": ${reason}`,
    resourceDetails(res, name),
  );
}

export function badRequest(message: string): KubeError {
  return new KubeError(400, 'BadRequest', message);
}

export interface Cause {
  field: string;
  message: string;
  reason?: string;
}

export function invalid(res: ResourceDef, name: string, causes: Cause[]): KubeError {
  const text = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  const list = causes.length > 1 ? `[${text}]` : text;
  return new KubeError(422, 'Invalid', `${qualifiedKind(res)} "${name}" is invalid: ${list}`, {
    name,
    ...(res.group !== '' ? { group: res.group } : {}),
    kind: res.kind,
    causes: causes.map((c) => ({
      reason: c.reason ?? 'FieldValueInvalid',
      message: c.message,
      field: c.field,
    })),
  });
}

/** The generic 422 the apiserver returns when a patch cannot be applied. */
export function unprocessable(serverMessage: string): KubeError {
  return new KubeError(
    422,
    'Invalid',
    'the server rejected our request due to an error in our request',
    { causes: [{ reason: 'UnexpectedServerResponse', message: serverMessage }] },
  );
}

export function unsupportedMediaType(contentType: string, accepted: string[]): KubeError {
  return new KubeError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    contentType === '' ? undefined : { causes: [{ message: `unsupported: ${contentType}` }] },
  );
}

export function methodNotAllowed(method: string): KubeError {
  return new KubeError(
    405,
    'MethodNotAllowed',
    `the server does not allow this method on the requested resource (${method})`,
  );
}

export function pathNotFound(): KubeError {
  return new KubeError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function expired(requested: number, oldest: number): KubeError {
  return new KubeError(410, 'Expired', `too old resource version: ${requested} (${oldest})`);
}

/** Status for an error the test asked for with failNext(). */
export function injected(code: number, message?: string): KubeError {
  const reasons: Record<number, string> = {
    400: 'BadRequest',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'NotFound',
    409: 'Conflict',
    410: 'Gone',
    422: 'Invalid',
    429: 'TooManyRequests',
    500: 'InternalError',
    503: 'ServiceUnavailable',
    504: 'Timeout',
  };
  return new KubeError(code, reasons[code] ?? 'Unknown', message ?? `injected failure ${code}`);
}

export function internalError(err: unknown): KubeError {
  const text = err instanceof Error ? err.message : String(err);
  return new KubeError(500, 'InternalError', `Internal error occurred: ${text}`, {
    causes: [{ message: text }],
  });
}
