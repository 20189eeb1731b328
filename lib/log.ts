// The pino logger factory shared by both processes: JSON lines by default (what log collectors
// want), human-readable when stdout is a terminal or when asked.
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS: readonly LevelWithSilent[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

export interface LoggerOptions {
  name: string;
  level?: string;
  /** Force pretty (true) or JSON (false); default: pretty only when stdout is a TTY. */
  pretty?: boolean;
  /** Where JSON lines go; default stdout. Tests pass a stream to read them back. */
  destination?: NodeJS.WritableStream;
}

export function isLogLevel(value: string): value is LevelWithSilent {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

export function createLogger(opts: LoggerOptions): Logger {
  const level = opts.level ?? process.env.LOG_LEVEL ?? 'info';
  if (!isLogLevel(level)) {
    throw new Error(`log level "${level}" is not one of ${LOG_LEVELS.join(', ')}`);
  }
  const pretty = opts.pretty ?? (process.stdout.isTTY === true && !opts.destination);
  const base = { name: opts.name, level };
  if (pretty) {
    return pino({
      ...base,
      transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname' } },
    });
  }
  return opts.destination ? pino(base, opts.destination) : pino(base);
}
