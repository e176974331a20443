import { pino, type Logger } from 'pino';

/** Structured JSON logs on stderr (stdout is kept for command output such as tables and --json). */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'signal-desk' } }, pino.destination(2));
}
export type { Logger };
