import { Command, InvalidArgumentError } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { loadSources } from '../config/loadSources.ts';
import { loadSettings, type Settings } from '../config/settings.ts';
import { ConfigError, SignalDeskError } from '../errors.ts';
import { demoCommand } from './commands/demo.ts';
import { parseCommand } from './commands/parse.ts';
import { reviewListCommand } from './commands/review.ts';
import { runCommand } from './commands/run.ts';
import { listCommand, testCommand, validateCommand } from './commands/sources.ts';
import { requireRedis } from './redis.ts';

const settings = (file?: string): Settings => {
  const s = loadSettings();
  return file ? { ...s, sourcesFile: file } : s;
};
const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive whole number');
  return n;
};

const program = new Command('signal-desk')
  .description('Source-monitoring ingestion for a news-intelligence brief: poll feeds, de-duplicate, queue draft signals for editors.')
  .version(pkg.version)
  .showHelpAfterError();

program
  .command('run')
  .description('run job schedulers and workers until SIGTERM/SIGINT')
  .option('--once', 'poll every enabled source once, wait for its drafts, print a summary and exit (1 if any source failed); for cron')
  .option('--no-scheduler', 'only work jobs; do not sync the job schedulers (for extra worker processes)')
  .option('--sources <file>', 'sources file (default: $SIGNAL_DESK_SOURCES or config/sources.yaml)')
  .action(async (opts: { once?: boolean; scheduler: boolean; sources?: string }) => {
    const s = settings(opts.sources);
    const sources = await loadSources(s.sourcesFile);
    await requireRedis(s.redisUrl);
    process.exitCode = await runCommand(s, sources, opts);
  });

const sourcesCmd = program.command('sources').description('inspect and check the configured sources');
sourcesCmd
  .command('validate')
  .description('check the sources file; prints every problem with file, line, source and field; exit 1 if any')
  .argument('[file]', 'sources file (default: $SIGNAL_DESK_SOURCES or config/sources.yaml)')
  .action(async (file?: string) => {
    process.exitCode = await validateCommand(file ?? settings().sourcesFile);
  });
sourcesCmd
  .command('list')
  .description('list the configured sources')
  .option('--json', 'print JSON')
  .option('--sources <file>', 'sources file')
  .action(async (opts: { json?: boolean; sources?: string }) => {
    process.exitCode = listCommand(await loadSources(settings(opts.sources).sourcesFile), opts);
  });
sourcesCmd
  .command('test')
  .description('dry run of one source: fetch, parse and show the drafts it would make; writes nothing')
  .argument('<id>', 'source id')
  .option('--json', 'print JSON')
  .option('--sources <file>', 'sources file')
  .action(async (id: string, opts: { json?: boolean; sources?: string }) => {
    const s = settings(opts.sources);
    process.exitCode = await testCommand(s, await loadSources(s.sourcesFile), id, opts);
  });

program
  .command('parse')
  .description('parse feed files offline and print what Signal Desk reads from them')
  .argument('<files...>', 'feed files (RSS, Atom, RDF, JSON Feed)')
  .option('--url <base>', 'the feed URL, used as the base for relative links')
  .option('--json', 'one JSON line per file: {file, ok, format, feed, items, error}')
  .action(async (files: string[], opts: { url?: string; json?: boolean }) => {
    process.exitCode = await parseCommand(files, opts);
  });

const reviewCmd = program.command('review').description('the review queue of draft signals');
reviewCmd
  .command('list')
  .description('drafts waiting for review, highest score first (id, score, source, headline, age)')
  .option('--json', 'print the drafts as JSON')
  .option('--limit <n>', 'how many', positiveInt, 50)
  .action(async (opts: { json?: boolean; limit: number }) => {
    process.exitCode = await reviewListCommand(settings(), opts);
  });

program
  .command('demo')
  .description('serve the bundled demo feeds locally, run the pipeline once and print the review queue (offline)')
  .action(async () => {
    process.exitCode = await demoCommand();
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
  } else if (err instanceof SignalDeskError) {
    process.stderr.write(`signal-desk: ${err.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`signal-desk: unexpected error: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 70;
  }
}
