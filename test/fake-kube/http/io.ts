// Small HTTP helpers: JSON replies, Status replies, request bodies, media types.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { internalError, KubeError } from '../errors.js';
import type { JsonObject } from '../json.js';

const MAX_BODY = 16 * 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, body: JsonObject): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Replies with a Status object; errors that are not KubeErrors become 500 InternalError. */
export function sendError(res: ServerResponse, err: unknown): void {
  const kerr = err instanceof KubeError ? err : internalError(err);
  if (!(err instanceof KubeError)) console.error('fake-kube: internal error', err);
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, kerr.code, kerr.toStatus());
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > MAX_BODY)
      throw new KubeError(413, 'RequestEntityTooLarge', 'the request body is too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** "application/json; charset=utf-8" → "application/json". */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}
