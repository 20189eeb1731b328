// Per-pod capture overrides, read from pod annotations. A malformed value is reported (an Event
// on the pod) and ignored: the pod gets the default for that setting, never a broken capture.
import {
  DEFAULT_CAPTURE,
  parseCidrList,
  parsePortList,
  type CaptureOptions,
} from '../iptables/index.js';
import type { Validation } from '../lib/validation.js';

export const CAPTURE_ANNOTATIONS = {
  excludeOutboundPorts: 'traffic.envoy.exclude-outbound-ports',
  excludeOutboundCidrs: 'traffic.envoy.exclude-outbound-cidrs',
  includeOutboundCidrs: 'traffic.envoy.include-outbound-cidrs',
} as const;

/** Longer values are refused before parsing (annotations may be up to 256 KiB in total). */
export const MAX_ANNOTATION_LENGTH = 4096;

export interface AnnotationIssue {
  key: string;
  value: string;
  message: string;
}

type Field = keyof typeof CAPTURE_ANNOTATIONS;

const PARSERS: Record<Field, (raw: string) => Validation<number[] | string[]>> = {
  excludeOutboundPorts: parsePortList,
  excludeOutboundCidrs: parseCidrList,
  includeOutboundCidrs: parseCidrList,
};

function shown(raw: string): string {
  return raw.length > 64 ? `${raw.slice(0, 64)}…` : raw;
}

function parseField(field: Field, raw: string): Validation<number[] | string[]> {
  if (raw.length > MAX_ANNOTATION_LENGTH) {
    return { valid: false, errors: [`longer than ${MAX_ANNOTATION_LENGTH} characters`] };
  }
  if (field !== 'includeOutboundCidrs' && raw.split(',').some((s) => s.trim() === '*')) {
    return { valid: false, errors: ['"*" is only allowed in include-outbound-cidrs'] };
  }
  return PARSERS[field](raw);
}

/** The capture options of one pod: the agent's base options plus its valid annotations. */
export function captureFor(
  base: CaptureOptions,
  annotations: Readonly<Record<string, string>> | undefined,
): { capture: CaptureOptions; issues: AnnotationIssue[] } {
  const capture: CaptureOptions = { ...base };
  const issues: AnnotationIssue[] = [];
  for (const field of Object.keys(CAPTURE_ANNOTATIONS) as Field[]) {
    const key = CAPTURE_ANNOTATIONS[field];
    const raw = annotations?.[key];
    if (raw === undefined) continue;
    const v = parseField(field, raw);
    if (v.valid) {
      (capture as unknown as Record<Field, unknown>)[field] = v.result;
      continue;
    }
    const message = `invalid value "${shown(raw)}" for ${key}: ${v.errors.join('; ')}; using the default`;
    issues.push({ key, value: raw, message });
  }
  return { capture, issues };
}

export { DEFAULT_CAPTURE };
