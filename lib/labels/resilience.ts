// Resilience and observability labels: faults, rate limits, tracing, retries, timeouts and
// circuit breakers. Each applies to a Service and may be overridden per workload or pod.
import { WORKLOAD_KINDS, type LabelDecl, type ObjectKind } from './decl.js';
import { boolParser, durationMsParser, intParser, percentParser } from './parsers.js';

const SVC_AND_WORKLOADS: readonly ObjectKind[] = ['Service', ...WORKLOAD_KINDS];
const DAY_MS = 86_400_000;

function decl<T>(d: LabelDecl<T>): LabelDecl<T> {
  return d;
}

export const FAULT_DELAY_TIME = decl({
  name: 'traffic.fault.delay.time',
  appliesTo: SVC_AND_WORKLOADS,
  default: undefined,
  units: 'milliseconds',
  description: 'Injected fixed delay (applies with traffic.fault.delay.percentage)',
  parser: durationMsParser(1, DAY_MS),
});

export const FAULT_DELAY_PERCENTAGE = decl({
  name: 'traffic.fault.delay.percentage',
  appliesTo: SVC_AND_WORKLOADS,
  default: 0,
  units: 'percent',
  description: 'Share of requests that get the injected delay',
  parser: percentParser(),
});

export const FAULT_ABORT_STATUS = decl({
  name: 'traffic.fault.abort.status',
  appliesTo: SVC_AND_WORKLOADS,
  default: 503,
  description: 'HTTP status of injected aborts',
  parser: intParser(200, 599),
});

export const FAULT_ABORT_PERCENTAGE = decl({
  name: 'traffic.fault.abort.percentage',
  appliesTo: SVC_AND_WORKLOADS,
  default: 0,
  units: 'percent',
  description: 'Share of requests aborted with traffic.fault.abort.status',
  parser: percentParser(),
});

export const RATE_LIMIT = decl({
  name: 'traffic.rate.limit',
  appliesTo: SVC_AND_WORKLOADS,
  default: undefined,
  units: 'kbps',
  description: 'Bandwidth limit per client connection',
  parser: intParser(1, 10_000_000),
});

export const TRACING_ENABLED = decl({
  name: 'traffic.tracing.enabled',
  appliesTo: SVC_AND_WORKLOADS,
  default: false,
  description: 'Send Zipkin spans for requests to this service',
  parser: boolParser(),
});

export const TRACING_SAMPLING = decl({
  name: 'traffic.tracing.sampling',
  appliesTo: SVC_AND_WORKLOADS,
  default: 100,
  units: 'percent',
  description: 'Share of requests traced when tracing is enabled',
  parser: percentParser(),
});

export const RETRIES_MAX = decl({
  name: 'traffic.retries.max',
  appliesTo: SVC_AND_WORKLOADS,
  default: undefined,
  description: 'Circuit breaker: concurrent retries to the cluster',
  parser: intParser(0, 1_000_000),
});

function retryOn(kind: string, on: string): LabelDecl<number> {
  return decl({
    name: `traffic.retries.${kind}`,
    appliesTo: SVC_AND_WORKLOADS,
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
  appliesTo: SVC_AND_WORKLOADS,
  default: undefined,
  units: 'milliseconds',
  description: 'Route timeout for a whole request, retries included',
  parser: durationMsParser(1, DAY_MS),
});

export const CONNECTION_TIMEOUT = decl({
  name: 'traffic.connection.timeout',
  appliesTo: SVC_AND_WORKLOADS,
  default: 60_000,
  units: 'milliseconds',
  description: 'Timeout for opening a connection to an endpoint',
  parser: durationMsParser(1, DAY_MS),
});

function breaker(key: string, what: string): LabelDecl<number> {
  return decl({
    name: `traffic.${key}`,
    appliesTo: SVC_AND_WORKLOADS,
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
