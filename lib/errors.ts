// Typed errors with stable `code` strings (undici's pattern): callers branch on `code`, never on
// message text, and log lines carry the code so they can be searched.

export type ErrorCode =
  | 'TM_INVALID_ARGUMENT'
  | 'TM_INVALID_LABEL'
  | 'TM_KUBECONFIG'
  | 'TM_NOT_FOUND'
  | 'TM_CONFLICT'
  | 'TM_RUNTIME'
  | 'TM_IPTABLES'
  | 'TM_TIMEOUT'
  | 'TM_XDS';

export class TrafficError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TrafficError';
    this.code = code;
  }
}

export class InvalidArgumentError extends TrafficError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TM_INVALID_ARGUMENT', message, options);
    this.name = 'InvalidArgumentError';
  }
}

export class KubeconfigError extends TrafficError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TM_KUBECONFIG', message, options);
    this.name = 'KubeconfigError';
  }
}

export class TimeoutError extends TrafficError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TM_TIMEOUT', message, options);
    this.name = 'TimeoutError';
  }
}

/** True when `err` is one of ours carrying `code`. */
export function hasCode(err: unknown, code: ErrorCode): boolean {
  return err instanceof TrafficError && err.code === code;
}

/** A one-line description of any thrown value, for logs and Events. */
export function describeError(err: unknown): string {
  if (err instanceof TrafficError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
