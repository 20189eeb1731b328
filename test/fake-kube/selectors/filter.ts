// Turns labelSelector / fieldSelector query strings into one object predicate (400 on errors).
import { badRequest } from '../errors.js';
import type { JsonObject } from '../json.js';
import { labelsOf } from '../kube.js';
import type { ResourceDef } from '../registry.js';
import { compileFieldSelector, parseFieldSelector } from './fields.js';
import { matchLabels, parseLabelSelector, SelectorError } from './labels.js';

export type ObjectFilter = (obj: JsonObject) => boolean;

export interface SelectorQuery {
  labelSelector?: string;
  fieldSelector?: string;
}

/** Throws a 400 KubeError for a selector the apiserver would reject. */
export function compileFilter(res: ResourceDef, query: SelectorQuery): ObjectFilter {
  try {
    const labels = parseLabelSelector(query.labelSelector ?? '');
    const fields = compileFieldSelector(res, parseFieldSelector(query.fieldSelector ?? ''));
    return (obj) => matchLabels(labels, labelsOf(obj)) && fields(obj);
  } catch (err) {
    if (err instanceof SelectorError) throw badRequest(err.message);
    throw err;
  }
}
