// Resilience and observability labels: faults, rate limits, tracing, retries, timeouts and
// circuit breakers. Each is set on the destination Service and applies to every caller.
import type { LabelDecl, ObjectKind } from './decl.js';
import { boolParser, durationMsParser, intParser, percentParser } from './parsers.js';

// Resilience settings belong to the destination Service (per-workload overrides may come later).
const SERVICE: readonly ObjectKind[] = ['Service'];
const DAY_MS = 86_400_000;

function decl<T>(d: LabelDecl<T>): LabelDecl<T> {
  return d;
}

export const FAULT_DELAY_TIME = decl({
  name: 'traffic.fault.delay.time',
  appliesTo: SERVICE,
  default: undefined,
  units: 'milliseconds',
  description: 'Injected fixed delay (applies with traffic.fault.delay.percentage)',
  parser: durationMsParser(1, DAY_MS),
});

export const FAULT_DELAY_PERCENTAGE = decl({
  name: 'traffic.fault.delay.percentage',
  appliesTo: SERVICE,
  default: 0,
  units: 'percent',
  description: 'Share of requests that get the injected delay',
  parser: percentParser(),
});

export const FAULT_ABORT_STATUS = decl({
  name: 'traffic.fault.abort.status',
  appliesTo: SERVICE,
  default: 503,
  description: 'HTTP status of injected aborts',
  parser: intParser(200, 599),
});

export const FAULT_ABORT_PERCENTAGE = decl({
  name: 'traffic.fault.abort.percentage',
  appliesTo: SERVICE,
  default: 0,
  units: 'percent',
  description: 'Share of requests aborted with traffic.fault.abort.status',
  parser: percentParser(),
});

export const RATE_LIMIT = decl({
  name: 'traffic.rate.limit',
  appliesTo: SERVICE,
  default: undefined,
  units: 'kbps',
  description: 'Bandwidth limit per client connection',
  parser: intParser(1, 10_000_000),
});

export const TRACING_ENABLED = decl({
  name: 'traffic.tracing.enabled',
  appliesTo: SERVICE,
  default: false,
  description: 'Send Zipkin spans for requests to this service',
  parser: boolParser(),
});

export const TRACING_SAMPLING = decl({
  name: 'traffic.tracing.sampling',
  appliesTo: SERVICE,
  default: 100,
  units: 'percent',
  description: 'Share of requests traced when tracing is enabled',
  parser: percentParser(),
});

export const RETRIES_MAX = decl({
  name: 'traffic.retries.max',
  appliesTo: SERVICE,
  default: undefined,
  description: 'Circuit breaker: concurrent retries to the cluster',
  parser: intParser(0, 1_000_000),
});

function retryOn(kind: string, on: string): LabelDecl<number> {
  return decl({
    name: `traffic.retries.${kind}`,
    appliesTo: SERVICE,
    default: undefined,
    description: `Retry requests that fail with ${on}, up to this many times (combines with the other retry labels)`,
    parser: intParser(0, 10),
  });
}

export const RETRIES_5XX = retryOn('5xx', 'a 5xx response');
export const RETRIES_CONNECT_FAILURE = retryOn('connect-failure', 'a connection failure');
export const RETRIES_GATEWAY_ERROR = retryOn('gateway-error', 'a 502, 503 or 504');

export const REQUEST_TIMEOUT = decl({
  name: 'traffic.request.timeout',
  appliesTo: SERVICE,
  default: undefined,
  units: 'milliseconds',
  description: 'Route timeout for a whole request, retries included',
  parser: durationMsParser(1, DAY_MS),
});

export const CONNECTION_TIMEOUT = decl({
  name: 'traffic.connection.timeout',
  appliesTo: SERVICE,
  default: 60_000,
  units: 'milliseconds',
  description: 'Timeout for opening a connection to an endpoint',
  parser: durationMsParser(1, DAY_MS),
});

function breaker(key: string, what: string): LabelDecl<number> {
  return decl({
    name: `traffic.${key}`,
    appliesTo: SERVICE,
    default: undefined,
    description: `Circuit breaker: ${what}`,
    parser: intParser(1, 1_000_000_000),
  });
}

export const CONNECTION_MAX = breaker('connection.max', 'connections to the cluster');
export const REQUEST_MAX_PENDING = breaker(
  'request.max-pending',
  'requests waiting for a connection',
);
export const REQUEST_MAX = breaker('request.max', 'concurrent requests to the cluster');
