// Validation results instead of exceptions (grpc-js-xds's pattern): a bad label value is data,
// reported to the user, never a thrown error that could take a process down.

export type Validation<T> = { valid: true; result: T } | { valid: false; errors: string[] };

export function ok<T>(result: T): Validation<T> {
  return { valid: true, result };
}

export function fail<T = never>(...errors: string[]): Validation<T> {
  return { valid: false, errors };
}
