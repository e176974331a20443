import { Readable, Writable } from 'node:stream';
import { Command, CommanderError } from 'commander';
import type { Settings } from '../../src/config/settings.ts';
import { reportError } from '../../src/cli/reportError.ts';
import { registerReviewCommands } from '../../src/cli/reviewProgram.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function buffer(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

/**
 * `signal-desk review …` in this process: the same command definitions, parsing, error report and exit code as
 * bin/signal-desk.js (src/cli/main.ts wires them the same way), without starting a process per command.
 */
export async function runReview(settings: Settings, args: string[], stdin = ''): Promise<CliRun> {
  const out = buffer();
  const err = buffer();
  let code = 0;
  const program = new Command('signal-desk')
    .exitOverride()
    .enablePositionalOptions()
    .configureOutput({ writeOut: (s) => out.stream.write(s), writeErr: (s) => err.stream.write(s) });
  registerReviewCommands(program, { settings: () => settings, stdout: out.stream, stdin: Readable.from([stdin]), setExitCode: (c) => (code = c) });
  try {
    await program.parseAsync(['review', ...args], { from: 'user' });
  } catch (e) {
    code = e instanceof CommanderError ? e.exitCode : reportError(e, err.stream);
  }
  return { code, stdout: out.text(), stderr: err.text() };
}
