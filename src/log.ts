import { constants, openSync, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pino, type DestinationStream, type Logger } from 'pino';
import { SignalDeskError } from './errors.ts';

export interface LogOptions {
  /** Append the JSON lines to this file (SIGNAL_DESK_LOG_FILE, `run --log-file`). */
  file?: string;
  /** Write them to stderr (too, with a file). Default: only when there is no file. */
  stderr?: boolean;
}

/**
 * Structured JSON logs, one line per event, times in ISO 8601 (`"time":"2026-12-02T05:41:07.123Z"`): on
 * stderr (stdout is kept for command output such as tables and --json), in a file, or both. With neither
 * (`run --once` without --verbose), nothing is logged.
 */
export function createLogger(level: string, options: LogOptions = {}): Logger {
  const streams: DestinationStream[] = [];
  if (options.file) streams.push(openLogFile(options.file));
  if (options.stderr ?? !options.file) streams.push(pino.destination(2));
  const config = { level, base: { service: 'signal-desk' }, timestamp: pino.stdTimeFunctions.isoTime };
  if (streams.length === 0) return pino({ ...config, level: 'silent' });
  if (streams.length === 1) return pino(config, streams[0]);
  return pino(config, pino.multistream(streams.map((stream) => ({ level: level as pino.Level, stream }))));
}

/** Opens the log file for appending now, so a wrong path is an error that names it (absolute), not a lost log. */
export function openLogFile(file: string): DestinationStream {
  const path = resolve(file);
  let fd: number;
  // A fifo nobody reads would block open(2) for ever, and a blocked open ignores SIGTERM: a cron run that
  // hangs. A fifo is opened without waiting instead, so no reader is an error (ENXIO) naming it.
  const fifo = (() => {
    try {
      return statSync(path).isFIFO();
    } catch {
      return false;
    }
  })();
  try {
    fd = fifo ? openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_NONBLOCK) : openSync(path, 'a');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    if (fifo && code === 'ENXIO') throw new SignalDeskError('log_file', `the log file ${path} is a fifo no process is reading: start its reader first, or give a file with --log-file or SIGNAL_DESK_LOG_FILE`, { cause: err });
    throw new SignalDeskError('log_file', `cannot open the log file ${path} (${code}): create its directory or make it writable, or give another path with --log-file or SIGNAL_DESK_LOG_FILE`, { cause: err });
  }
  // Written synchronously: a cron run that ends (or crashes) right after a line still has it in the file.
  return pino.destination({ dest: fd, sync: true });
}
/**
 * A log file that is one of the configuration files would be appended to: JSON lines at the end of the sources
 * file break it on the next reload. Compared by real path (a symlink, `dir//f`, `dir/./f` or `../` are the same
 * file) and, for files that exist, by device and inode (a hard link is the same file under another name).
 * Returns what is wrong, or undefined.
 */
export function logFileProblem(logFile: string, configFiles: Record<string, string>): string | undefined {
  const real = (f: string) => {
    try {
      return realpathSync(f);
    } catch {
      return resolve(f);
    }
  };
  const inode = (f: string) => {
    try {
      const s = statSync(f);
      return `${s.dev}:${s.ino}`;
    } catch {
      return undefined;
    }
  };
  const target = real(logFile);
  const node = inode(logFile);
  const clash = Object.entries(configFiles).find(([, f]) => real(f) === target || (node !== undefined && inode(f) === node));
  return clash ? `the log file ${resolve(logFile)} is the ${clash[0]} (${clash[1]}): logs appended to it would break it; give the log its own file` : undefined;
}
export type { Logger };
