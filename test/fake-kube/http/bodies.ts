// Request bodies: objects as JSON or YAML (protobuf is refused with 415), DeleteOptions.
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { badRequest, unsupportedMediaType } from '../errors.js';
import { mediaType, readBody } from './io.js';

const BODY_TYPES = ['application/json', 'application/yaml'];

export async function readObjectBody(req: IncomingMessage): Promise<unknown> {
  const type = mediaType(req.headers['content-type']);
  if (type !== '' && !BODY_TYPES.includes(type)) throw unsupportedMediaType(type, BODY_TYPES);
  const text = await readBody(req);
  try {
    return type === 'application/yaml'
      ? (parseYaml(text) as unknown)
      : (JSON.parse(text) as unknown);
  } catch (err) {
    throw badRequest(`error decoding body: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function decodeDeleteOptions(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest('error decoding DeleteOptions');
  }
}
