// Small helpers for the command-line entry points: typed flag values with environment-variable
// fallbacks and clear errors, and the conventional exit on bad usage.
import { InvalidArgumentError } from './errors.js';

export function intFlag(
  name: string,
  raw: string | undefined,
  fallback: number,
  range: { min: number; max: number },
): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw))
    throw new InvalidArgumentError(`--${name} must be an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < range.min || n > range.max) {
    throw new InvalidArgumentError(`--${name} must be ${range.min}-${range.max}, got ${n}`);
  }
  return n;
}

export function boolFlag(raw: string | boolean | undefined, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  if (typeof raw === 'boolean') return raw;
  return ['1', 'true', 'yes', 'on'].includes(raw.toLowerCase());
}

/** `--name` from argv, else the environment variable, else undefined. */
export function fromEnv(value: string | undefined, envName: string): string | undefined {
  return value ?? process.env[envName];
}

export const PORT = { min: 0, max: 65535 };
