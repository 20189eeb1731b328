// Capture options: what the agent (or a pod annotation) may ask for, the defaults, and the
// validation every value passes before it can reach iptables. Validation merges the defaults and
// normalises the lists (ports sorted and deduplicated, CIDRs masked and canonical).
import { fail, ok, type Validation } from '../lib/validation.js';
import type { Family } from './cidr.js';
import { isId, isPort, normaliseCidrs, normalisePorts } from './lists.js';

export type { Family };
export { MAX_ID, MAX_LIST_ITEMS, parseCidrList, parsePortList } from './lists.js';

export interface CaptureOptions {
  /** Outbound REDIRECT target (Envoy's outbound listener). */
  capturePort: number;
  /** Packets from this uid (and gid) are never captured: Envoy's own egress, the loop breaker. */
  proxyUid: number;
  proxyGid: number;
  /** Envoy admin: never captured. */
  adminPort: number;
  /** Destination ports never captured. */
  excludeOutboundPorts: number[];
  /** Destinations never captured (RETURN before the redirect). */
  excludeOutboundCidrs: string[];
  /** [] or ['*'] = everything; otherwise only these destinations are redirected. */
  includeOutboundCidrs: string[];
  /** Off by default; when on, PREROUTING tcp → inboundPort except excludeInboundPorts. */
  inboundCapture: boolean;
  inboundPort: number;
  excludeInboundPorts: number[];
}

function frozenList<T>(): T[] {
  return Object.freeze([]) as unknown as T[];
}

/** The defaults (frozen, lists included: copy before changing). */
export const DEFAULT_CAPTURE: CaptureOptions = Object.freeze({
  capturePort: 10000,
  proxyUid: 1337,
  proxyGid: 1337,
  adminPort: 8900,
  excludeOutboundPorts: frozenList<number>(),
  excludeOutboundCidrs: frozenList<string>(),
  includeOutboundCidrs: frozenList<string>(),
  inboundCapture: false,
  inboundPort: 15006,
  excludeInboundPorts: frozenList<number>(),
});

type Key = keyof CaptureOptions;

const PORT_KEYS = ['capturePort', 'adminPort', 'inboundPort'] as const;
const ID_KEYS = ['proxyUid', 'proxyGid'] as const;
const KEYS = new Set<string>(Object.keys(DEFAULT_CAPTURE));

function checkScalars(o: CaptureOptions, errors: string[]): void {
  for (const k of PORT_KEYS) {
    if (!isPort(o[k])) errors.push(`${k}: ${JSON.stringify(o[k])} is not a port (1-65535)`);
  }
  for (const k of ID_KEYS) {
    if (!isId(o[k])) errors.push(`${k}: ${JSON.stringify(o[k])} is not an id (0-2^31)`);
  }
  if (typeof o.inboundCapture !== 'boolean') errors.push('inboundCapture: not a boolean');
  if (o.capturePort === o.adminPort) errors.push('capturePort: equals adminPort');
  if (o.inboundCapture && o.inboundPort === o.adminPort) {
    errors.push('inboundPort: equals adminPort');
  }
}

function list<T>(
  key: Key,
  value: unknown,
  errors: string[],
  check: (items: unknown[]) => Validation<T[]>,
): T[] {
  if (!Array.isArray(value)) {
    errors.push(`${key}: not a list`);
    return [];
  }
  const v = check(value);
  if (v.valid) return v.result;
  errors.push(...v.errors.map((e) => `${key}: ${e}`));
  return [];
}

/** Merges `o` over DEFAULT_CAPTURE and checks every value; unknown keys are refused. */
export function validateCaptureOptions(o: Partial<CaptureOptions>): Validation<CaptureOptions> {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    return fail('options: not an object');
  }
  const errors = Object.keys(o)
    .filter((k) => !KEYS.has(k))
    .map((k) => `${k}: unknown option`);
  const merged: CaptureOptions = { ...DEFAULT_CAPTURE, ...o };
  checkScalars(merged, errors);
  const ports = (k: 'excludeOutboundPorts' | 'excludeInboundPorts'): number[] =>
    list(k, merged[k], errors, normalisePorts);
  const cidrs = (k: 'excludeOutboundCidrs' | 'includeOutboundCidrs', wildcard: boolean): string[] =>
    list(k, merged[k], errors, (items) => normaliseCidrs(items, wildcard));
  const result: CaptureOptions = {
    ...merged,
    excludeOutboundPorts: ports('excludeOutboundPorts'),
    excludeInboundPorts: ports('excludeInboundPorts'),
    excludeOutboundCidrs: cidrs('excludeOutboundCidrs', false),
    includeOutboundCidrs: cidrs('includeOutboundCidrs', true),
  };
  return errors.length > 0 ? fail(...errors) : ok(result);
}
