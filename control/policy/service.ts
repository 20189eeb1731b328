// A Service's traffic.* labels → ServicePolicy, plus the issues to report. Invalid values fall
// back to their defaults; nothing else changes.
import {
  CONNECTION_MAX,
  CONNECTION_TIMEOUT,
  FAULT_ABORT_PERCENTAGE,
  FAULT_ABORT_STATUS,
  FAULT_DELAY_PERCENTAGE,
  FAULT_DELAY_TIME,
  HASH_COOKIE_NAME,
  HASH_COOKIE_TTL,
  HASH_HEADER_NAME,
  LB_POLICY,
  PORT_PROTOCOL,
  RATE_LIMIT,
  REQUEST_MAX,
  REQUEST_MAX_PENDING,
  REQUEST_TIMEOUT,
  RETRIES_5XX,
  RETRIES_CONNECT_FAILURE,
  RETRIES_GATEWAY_ERROR,
  RETRIES_MAX,
  TRACING_ENABLED,
  TRACING_SAMPLING,
  VERSION_HEADER,
  VERSION_WEIGHT,
  parseTrafficLabels,
  valueOf,
  type LabelIssue,
  type ParsedLabels,
  type PortProtocol,
} from '../../lib/labels/index.js';
import type { ServiceModel } from '../model/types.js';
import type { DarkLaunch, PolicyIssue, Resilience, RetryOn, ServicePolicy } from './types.js';

function ports(
  svc: ServiceModel,
  parsed: ParsedLabels,
  issues: LabelIssue[],
): Map<number, PortProtocol> {
  const out = new Map<number, PortProtocol>();
  const known = new Set(svc.ports.map((p) => p.port));
  for (const l of parsed.labels.filter((x) => x.decl === PORT_PROTOCOL)) {
    const port = Number(l.params.port);
    if (!known.has(port)) {
      const have = [...known].join(', ') || 'none';
      issues.push({
        key: l.key,
        value: String(l.value),
        message: `${l.key}: the Service has no port ${port} (its ports: ${have})`,
      });
      continue;
    }
    out.set(port, l.value as PortProtocol);
  }
  return out;
}

function versions(parsed: ParsedLabels, issues: LabelIssue[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of parsed.labels.filter((x) => x.decl === VERSION_WEIGHT))
    out.set(l.params.version ?? '', l.value as number);
  const sum = [...out.values()].reduce((a, b) => a + b, 0);
  if (out.size > 0 && sum === 0) {
    const key = 'traffic.version.*.weight';
    issues.push({
      key,
      value: '0',
      message:
        'every traffic.version.<version>.weight is 0: the version split is ignored until one is above 0',
    });
    return new Map();
  }
  return new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

function darkLaunch(parsed: ParsedLabels): DarkLaunch[] {
  return parsed.labels
    .filter((l) => l.decl === VERSION_HEADER)
    .map((l) => ({
      version: l.params.version ?? '',
      header: (l.params.header ?? '').toLowerCase(),
      value: String(l.value),
    }));
}

function retry(parsed: ParsedLabels): Resilience['retry'] {
  const set: [RetryOn, number | undefined][] = [
    ['5xx', valueOf(parsed, RETRIES_5XX)],
    ['connect-failure', valueOf(parsed, RETRIES_CONNECT_FAILURE)],
    ['gateway-error', valueOf(parsed, RETRIES_GATEWAY_ERROR)],
  ];
  const on = set.filter(([, n]) => n !== undefined && n > 0);
  if (on.length === 0) return undefined;
  return { on: on.map(([k]) => k), numRetries: Math.max(...on.map(([, n]) => n ?? 0)) };
}

function resilience(p: ParsedLabels): Resilience {
  return {
    fault: {
      delayMs: valueOf(p, FAULT_DELAY_TIME),
      delayPercent: valueOf(p, FAULT_DELAY_PERCENTAGE) ?? 0,
      abortStatus: valueOf(p, FAULT_ABORT_STATUS) ?? 503,
      abortPercent: valueOf(p, FAULT_ABORT_PERCENTAGE) ?? 0,
    },
    rateLimitKbps: valueOf(p, RATE_LIMIT),
    tracing: {
      enabled: valueOf(p, TRACING_ENABLED) ?? false,
      samplingPercent: valueOf(p, TRACING_SAMPLING) ?? 100,
    },
    retry: retry(p),
    requestTimeoutMs: valueOf(p, REQUEST_TIMEOUT),
    connectTimeoutMs: valueOf(p, CONNECTION_TIMEOUT) ?? 60_000,
    breakers: {
      maxConnections: valueOf(p, CONNECTION_MAX),
      maxPendingRequests: valueOf(p, REQUEST_MAX_PENDING),
      maxRequests: valueOf(p, REQUEST_MAX),
      maxRetries: valueOf(p, RETRIES_MAX),
    },
  };
}

function hash(p: ParsedLabels, issues: LabelIssue[]): ServicePolicy['hash'] {
  const cookie = valueOf(p, HASH_COOKIE_NAME);
  const ttl = valueOf(p, HASH_COOKIE_TTL);
  if (ttl !== undefined && cookie === undefined) {
    issues.push({
      key: HASH_COOKIE_TTL.name,
      value: String(ttl),
      message: 'traffic.hash.cookie.ttl needs traffic.hash.cookie.name; it is ignored',
    });
  }
  return {
    ...(cookie !== undefined
      ? { cookie: { name: cookie, ...(ttl !== undefined ? { ttlSeconds: ttl } : {}) } }
      : {}),
    ...(valueOf(p, HASH_HEADER_NAME) !== undefined ? { header: valueOf(p, HASH_HEADER_NAME) } : {}),
  };
}

export interface PolicyResult<T> {
  policy: T;
  issues: PolicyIssue[];
}

export function servicePolicy(svc: ServiceModel): PolicyResult<ServicePolicy> {
  const parsed = parseTrafficLabels('Service', svc.labels, svc.annotations);
  const issues: LabelIssue[] = [...parsed.issues];
  const policy: ServicePolicy = {
    ports: ports(svc, parsed, issues),
    lb: valueOf(parsed, LB_POLICY) ?? 'ROUND_ROBIN',
    hash: hash(parsed, issues),
    versions: versions(parsed, issues),
    darkLaunch: darkLaunch(parsed),
    resilience: resilience(parsed),
  };
  const ref = { kind: 'Service' as const, namespace: svc.namespace, name: svc.name, uid: svc.uid };
  return { policy, issues: issues.map((i) => ({ ...ref, ...i })) };
}

/** The policy of a Service with no traffic labels: every default. */
export function defaultServicePolicy(): ServicePolicy {
  const empty: ServiceModel = {
    name: '',
    namespace: '',
    uid: '',
    clusterIPs: [],
    headless: false,
    ports: [],
    labels: {},
    annotations: {},
  };
  return servicePolicy(empty).policy;
}
