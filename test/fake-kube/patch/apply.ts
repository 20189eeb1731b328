// Dispatches a PATCH body to the right algorithm, keyed by Content-Type.
import { parse as parseYaml } from 'yaml';
import { badRequest } from '../errors.js';
import type { JsonValue } from '../json.js';
import { applyJsonPatch } from './json-patch.js';
import { mergePatch } from './merge.js';
import { strategicMergePatch } from './strategic.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export const PATCH_TYPES: Readonly<Record<string, PatchType>> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** Decodes the raw body: JSON for every type, YAML (a JSON superset) for apply. */
export function decodePatchBody(type: PatchType, text: string): unknown {
  try {
    return type === 'apply' ? (parseYaml(text) as unknown) : (JSON.parse(text) as unknown);
  } catch (err) {
    throw badRequest(`error decoding patch: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Applies a decoded patch to a copy of `target`. Server-side apply is approximated as a strategic
 * merge of the applied configuration (field ownership and managedFields are not tracked).
 */
export function applyPatch(type: PatchType, target: JsonValue, body: unknown): JsonValue {
  switch (type) {
    case 'json':
      return applyJsonPatch(target, body);
    case 'merge':
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        throw badRequest('error decoding patch: a merge patch must be a JSON object');
      }
      return mergePatch(target, body as JsonValue);
    case 'strategic':
    case 'apply':
      return strategicMergePatch(target, body as JsonValue);
  }
}
