import { ConfigError, SignalDeskError } from '../errors.ts';
import { terminalText } from './table.ts';

/**
 * What the CLI prints for an error that ends a command, and its exit code: 1 for errors we expect (bad config,
 * a desk refusal such as 422 or 409, a missing draft), 70 for a bug. Shared by bin/signal-desk.js and in-process runs.
 * Messages can quote what a file or a feed said (a field name, copied text): written without control sequences.
 */
export function reportError(err: unknown, stderr: NodeJS.WritableStream): number {
  if (err instanceof ConfigError) {
    stderr.write(terminalText(`${err.message}\n`));
    return 1;
  }
  if (err instanceof SignalDeskError) {
    stderr.write(terminalText(`signal-desk: ${err.message}\n`));
    return 1;
  }
  stderr.write(`signal-desk: unexpected error: ${(err as Error).stack ?? err}\n`);
  return 70;
}
