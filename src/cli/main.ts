import { Command, InvalidArgumentError, Option } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { loadSources } from '../config/loadSources.ts';
import { loadSettings, type Settings } from '../config/settings.ts';
import { ConfigError, SignalDeskError } from '../errors.ts';
import { demoCommand } from './commands/demo.ts';
import { migrateCommand } from './commands/migrate.ts';
import { parseCommand } from './commands/parse.ts';
import { extractCommand } from './commands/extract.ts';
import { clusterCommand } from './commands/cluster.ts';
import { ROLES, type Role } from '../auth/roles.ts';
import { DRAFT_STATUSES, type DraftStatus } from '../drafts/schema.ts';
import { reviewApproveCommand, reviewListCommand, reviewMoveCommand, reviewRejectCommand, reviewShowCommand, reviewSplitCommand } from './commands/review.ts';
import { serveCommand } from './commands/serve.ts';
import { usersAddCommand, usersListCommand, usersRevokeCommand } from './commands/users.ts';
import { FAIL_ON, runCommand, type FailOn } from './commands/run.ts';
import { resolve } from 'node:path';
import { logFileProblem } from '../log.ts';
import { listCommand, resumeCommand, statusCommand, testCommand, validateCommand } from './commands/sources.ts';
import { addCommand, exportCommand, importCommand } from './commands/onboard.ts';
import { requireRedis } from './redis.ts';
import { rulesTestCommand, rulesValidateCommand } from './commands/rules.ts';
import { categoriesValidateCommand } from './commands/categories.ts';

const settings = (file?: string): Settings => {
  const s = loadSettings();
  return file ? { ...s, sourcesFile: file } : s;
};
/** The files a long-running or cron process reads, absolute: its errors then name them wherever it was started from. */
const absolutePaths = (s: Settings): Settings => ({
  ...s,
  sourcesFile: resolve(s.sourcesFile),
  rulesFile: resolve(s.rulesFile),
  categoriesFile: resolve(s.categoriesFile),
  logFile: s.logFile === undefined ? undefined : resolve(s.logFile),
});
/** A log file that is a configuration file would be appended to (and broken): refused before anything starts. */
const refuseLogOverConfig = (s: Settings, logFile: string | undefined) => {
  const clash = logFile && logFileProblem(logFile, { 'sources file': s.sourcesFile, 'rules file': s.rulesFile, 'categories file': s.categoriesFile });
  if (clash) throw new SignalDeskError('log_file', clash);
};
const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive whole number');
  return n;
};

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0–65535)');
  return n;
};
const oneOf = <T extends string>(values: readonly T[]) => (v: string): T => {
  if (!(values as readonly string[]).includes(v)) throw new InvalidArgumentError(`must be one of: ${values.join(', ')}`);
  return v as T;
};
const DEFAULT_HOST = process.env.SIGNAL_DESK_HOST || '127.0.0.1';
const DEFAULT_PORT = process.env.PORT ? port(process.env.PORT) : 8080;
// Commander prints "(default: …)" after the description itself: a description that says it too says it twice.
const portOption = (description: string) => new Option('--port <port>', description).argParser(port).default(DEFAULT_PORT, '$PORT or 8080');
const hostOption = (description: string) => new Option('--host <host>', description).default(DEFAULT_HOST, '$SIGNAL_DESK_HOST or 127.0.0.1');

const program = new Command('signal-desk')
  .description('Source-monitoring ingestion for a news-intelligence brief: poll feeds, de-duplicate, queue draft signals for editors.')
  .version(pkg.version)
  .showHelpAfterError();

program
  .command('run')
  .description('run job schedulers and workers until SIGTERM/SIGINT')
  .option('--once', 'poll every enabled source once, wait for its drafts, print a summary and exit (1 if a source failed: see --fail-on); for cron')
  .option('--no-scheduler', 'only work jobs; do not sync the job schedulers (for extra worker processes)')
  .option('--sources <file>', 'sources file (default: $SIGNAL_DESK_SOURCES or config/sources.yaml)')
  .option('--web', 'also serve the editors\' desk and API in this process (see `serve`)')
  .addOption(portOption('with --web: port'))
  .addOption(hostOption('with --web or --metrics-port: address to listen on'))
  .option('--metrics-port <port>', 'without --web: serve Prometheus metrics at /metrics on this port', port)
  .option('--log-file <path>', 'append the JSON logs to this file (default: $SIGNAL_DESK_LOG_FILE); not on stderr then, unless --verbose')
  .option('--verbose', 'JSON logs on stderr as well; --once shows them there only with --verbose, or with $SIGNAL_DESK_LOG_LEVEL set and no log file (else its stderr holds one progress line per source)')
  .addOption(new Option('--fail-on <when>', 'with --once: exit 1 when any source failed, or only when a source that was healthy before the run failed (new: a source broken for days does not fail every run)').choices(FAIL_ON).default('any'))
  .action(async (opts: { once?: boolean; scheduler: boolean; sources?: string; web?: boolean; port: number; host: string; metricsPort?: number; logFile?: string; verbose?: boolean; failOn: FailOn }) => {
    const s = absolutePaths(settings(opts.sources));
    const logFile = opts.logFile === undefined ? s.logFile : resolve(opts.logFile);
    refuseLogOverConfig(s, logFile);
    const sources = await loadSources(s.sourcesFile, s);
    await requireRedis(s.redisUrl);
    // Setting SIGNAL_DESK_LOG_LEVEL asks for the logs: without a log file, --once shows them on stderr as --verbose does.
    const verbose = opts.verbose || (opts.once === true && !logFile && Boolean(process.env.SIGNAL_DESK_LOG_LEVEL));
    process.exitCode = await runCommand(s, sources, { ...opts, logFile, verbose });
  });

const sourcesCmd = program.command('sources').description('inspect and check the configured sources');
sourcesCmd
  .command('validate')
  .description('check the sources file; prints every problem with file, line, source and field; exit 1 if any')
  .argument('[file]', 'sources file (default: $SIGNAL_DESK_SOURCES or config/sources.yaml)')
  .action(async (file?: string) => {
    process.exitCode = await validateCommand(settings(file));
  });
sourcesCmd
  .command('list')
  .description('list the configured sources')
  .option('--json', 'print JSON')
  .option('--sources <file>', 'sources file')
  .action(async (opts: { json?: boolean; sources?: string }) => {
    const s = settings(opts.sources);
    process.exitCode = listCommand(await loadSources(s.sourcesFile, s), opts);
  });
sourcesCmd
  .command('test')
  .description('dry run of one source: fetch, parse and show the drafts it would make; writes nothing')
  .argument('<id>', 'source id')
  .option('--json', 'print JSON')
  .option('--sources <file>', 'sources file')
  .action(async (id: string, opts: { json?: boolean; sources?: string }) => {
    const s = settings(opts.sources);
    process.exitCode = await testCommand(s, await loadSources(s.sourcesFile, s), id, opts);
  });

sourcesCmd
  .command('add')
  .description("add a site: finds its feeds (the URL itself, <link rel=\"alternate\">, then /feed, /rss.xml, /atom.xml, /index.xml…), shows what each holds, and writes the chosen one to the sources file (validated; comments kept)")
  .argument('<url>', 'the site or feed URL')
  .option('--id <id>', 'source id (default: from the feed title)')
  .option('--name <name>', 'name shown to editors (default: the feed title)')
  .option('--category <category>', 'suggested category of its drafts')
  .option('--pick <n>', 'which of the feeds found (default 1)', positiveInt)
  .option('--dry-run', 'show what would be added; write nothing')
  .option('--sources <file>', 'sources file')
  .action(async (url: string, opts: { id?: string; name?: string; category?: string; pick?: number; dryRun?: boolean; sources?: string }) => {
    process.exitCode = await addCommand(settings(opts.sources), url, opts);
  });
sourcesCmd
  .command('import')
  .description('add the subscriptions of an OPML file (ids kept when exported by Signal Desk); reports what is skipped and why')
  .argument('<file>', 'OPML file')
  .option('--dry-run', 'show what would be imported; write nothing')
  .option('--sources <file>', 'sources file')
  .action(async (file: string, opts: { dryRun?: boolean; sources?: string }) => {
    process.exitCode = await importCommand(settings(opts.sources), file, opts);
  });
sourcesCmd
  .command('export')
  .description('print the sources as OPML 2.0 (signal-desk sources export > sources.opml)')
  .option('--sources <file>', 'sources file')
  .action(async (opts: { sources?: string }) => {
    process.exitCode = await exportCommand(settings(opts.sources));
  });
sourcesCmd
  .command('status')
  .description('health of every source, problems first: last poll and success, failures, interval, next poll, new items, redirect, pause')
  .option('--json', 'print JSON')
  .option('--sources <file>', 'sources file')
  .action(async (opts: { json?: boolean; sources?: string }) => {
    const s = settings(opts.sources);
    process.exitCode = await statusCommand(s, await loadSources(s.sourcesFile, s), opts);
  });
sourcesCmd
  .command('resume')
  .description('poll a source paused by 410 Gone again (changing its URL in the file also resumes it)')
  .argument('<id>', 'source id')
  .option('--sources <file>', 'sources file')
  .action(async (id: string, opts: { sources?: string }) => {
    const s = settings(opts.sources);
    process.exitCode = await resumeCommand(s, await loadSources(s.sourcesFile, s), id);
  });

const rulesCmd = program.command('rules').description('check config/rules.yaml and see which rules hit which items');
rulesCmd
  .command('validate')
  .description('check the rules file; prints every problem with file, line, rule and field (catastrophic patterns included); exit 1 if any')
  .argument('[file]', 'rules file (default: $SIGNAL_DESK_RULES or config/rules.yaml)')
  .action(async (file?: string) => {
    process.exitCode = await rulesValidateCommand(file ?? loadSettings().rulesFile);
  });
rulesCmd
  .command('test')
  .description('dry run of the rules: which rules hit which items and what they would do (boost, tag, route, drop); writes nothing')
  .argument('[id|file]', 'a draft id (d_…), a feed file, or items as JSON lines ({"id","title","summary","source","category","lang"}); default: the drafts waiting for review')
  .option('--rules <file>', 'rules file (default: $SIGNAL_DESK_RULES or config/rules.yaml)')
  .option('--source <id>', 'for a feed file: the source its items come from (Category and tags from the sources file)')
  .option('--limit <n>', 'at most this many items', positiveInt, 50)
  .option('--json', 'one JSON line per item: {id, headline, source, hits, boost, tags, view, drop}')
  .action(async (target: string | undefined, opts: { rules?: string; source?: string; limit: number; json?: boolean }) => {
    const s = settings();
    process.exitCode = await rulesTestCommand(opts.rules ? { ...s, rulesFile: opts.rules } : s, target, opts);
  });

program
  .command('serve')
  .description("serve the editors' desk (web app), the HTTP API (/docs) and the signal feeds until SIGTERM/SIGINT")
  .addOption(portOption('port'))
  .addOption(hostOption('address to listen on (0.0.0.0 for all)'))
  .action(async (opts: { port: number; host: string }) => {
    const s = absolutePaths(settings());
    refuseLogOverConfig(s, s.logFile);
    await requireRedis(s.redisUrl);
    process.exitCode = await serveCommand(s, opts);
  });

const usersCmd = program.command('users').description('desk users and their API tokens');
usersCmd
  .command('add')
  .description('add a user and print its API token (shown once; only a hash is stored)')
  .argument('<name>', 'user name')
  .requiredOption('--role <role>', `one of: ${ROLES.join(', ')} (viewers read, editors review, operators also manage users and force claims)`, oneOf(ROLES))
  .action(async (name: string, opts: { role: Role }) => {
    process.exitCode = await usersAddCommand(settings(), name, opts.role);
  });
usersCmd
  .command('list')
  .description('list users (never their tokens)')
  .option('--json', 'print JSON')
  .action(async (opts: { json?: boolean }) => {
    process.exitCode = await usersListCommand(settings(), opts);
  });
usersCmd
  .command('revoke')
  .description("revoke a user: the token and the user's browser sessions stop working at once")
  .argument('<name>', 'user name')
  .action(async (name: string) => {
    process.exitCode = await usersRevokeCommand(settings(), name);
  });

const categoriesCmd = program.command('categories').description('check the taxonomy the desk suggests categories from (config/categories.yaml)');
categoriesCmd
  .command('validate')
  .description('check the categories file; prints every problem with file, line, category and field; exit 1 if any')
  .argument('[file]', 'categories file (default: $SIGNAL_DESK_CATEGORIES or config/categories.yaml)')
  .action(async (file?: string) => {
    process.exitCode = await categoriesValidateCommand(file ?? loadSettings().categoriesFile);
  });

program
  .command('migrate')
  .description('rewrite stored drafts for this version: editorial confidence and structural impact Low/Medium/High become 0–100 (30/60/90); safe while workers run, idempotent')
  .option('--dry-run', 'count what would be rewritten, write nothing')
  .option('--json', 'print the report as JSON')
  .action(async (opts: { dryRun?: boolean; json?: boolean }) => {
    process.exitCode = await migrateCommand(settings(), opts);
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

program
  .command('extract')
  .description("read an article page's own metadata offline (each field, its value and the rule that gave it)")
  .argument('[file]', 'HTML page file')
  .option('--url <url>', 'the page URL, to resolve relative links (default https://page.invalid/)')
  .option('--json', 'print the full metadata as one JSON line')
  .option('--jsonl', 'read {"file","url"} lines on stdin, print one contract line per page, in order')
  .action(async (file: string | undefined, opts: { url?: string; json?: boolean; jsonl?: boolean }) => {
    process.exitCode = await extractCommand(file, opts);
  });

program
  .command('cluster')
  .description('place items in stories offline with the workers\' clusterer (a memory store; nothing is written)')
  .requiredOption('--jsonl', 'read {"id","title","url","source","publishedAt","summary"} lines oldest first on stdin, print one {"id","story"} line per item, in order')
  .option('--rules <json>', 'override decision weights for measurement, e.g. \'{"joinAt":0.35}\' (the workers use the defaults)')
  .action(async (opts: { jsonl: boolean; rules?: string }) => {
    process.exitCode = await clusterCommand(loadSettings(), opts);
  });

const reviewCmd = program.command('review').description('the review queue of draft signals');
reviewCmd
  .command('list')
  .description('the queue as stories, highest score first: each story once (its lead: id, score, source, headline, publishers), its other items under it; a draft without a story on its own')
  .option('--json', 'print the drafts as JSON (with --stories: the story rows)')
  .option('--stories', 'with --json: print the story rows (lead, sources, first seen, latest, members)')
  .option('--drafts', 'one row per draft, not per story')
  .option('--entity <name>', 'drafts naming this entity (person, organisation, place, product), case-insensitive')
  .option('--limit <n>', 'how many', positiveInt, 50)
  .option('--status <status>', `one of: ${DRAFT_STATUSES.join(', ')}`, oneOf(DRAFT_STATUSES), 'pending')
  .option('--lang <lang>', "the article page's language (en finds en-GB)")
  .option('--section <section>', "the article page's section, case-insensitive")
  .option('--as <user>', 'act as this desk user (default: cli:$USER with operator rights)')
  .action(async (opts: { json?: boolean; stories?: boolean; drafts?: boolean; entity?: string; limit: number; status: DraftStatus; lang?: string; section?: string; as?: string }) => {
    process.exitCode = await reviewListCommand(settings(), opts);
  });
reviewCmd
  .command('split')
  .description('take a draft out of its story into a story of its own; it never rejoins the story it left')
  .argument('<id>', 'draft id (d_…)')
  .option('--as <user>', 'act as this desk user')
  .action(async (id: string, opts: { as?: string }) => {
    process.exitCode = await reviewSplitCommand(settings(), id, opts);
  });
reviewCmd
  .command('move')
  .description('move a draft to another story (see review list), pinned there: the pipeline never moves it again')
  .argument('<id>', 'draft id (d_…)')
  .requiredOption('--to <story>', 'the story id (s_…)')
  .option('--as <user>', 'act as this desk user')
  .action(async (id: string, opts: { to: string; as?: string }) => {
    process.exitCode = await reviewMoveCommand(settings(), id, opts);
  });
reviewCmd
  .command('show')
  .description('one draft: metadata, excerpt (editor only), editorial fields, claim and history')
  .argument('<id>', 'draft id (d_…)')
  .option('--json', 'print JSON')
  .option('--as <user>', 'act as this desk user')
  .action(async (id: string, opts: { json?: boolean; as?: string }) => {
    process.exitCode = await reviewShowCommand(settings(), id, opts);
  });
reviewCmd
  .command('approve')
  .description('approve a draft and publish it as a signal (refused when editorial fields are missing or copy the source)')
  .argument('<id>', 'draft id (d_…)')
  .option('--as <user>', 'act as this desk user')
  .action(async (id: string, opts: { as?: string }) => {
    process.exitCode = await reviewApproveCommand(settings(), id, opts);
  });
reviewCmd
  .command('reject')
  .description('reject a draft, saying why')
  .argument('<id>', 'draft id (d_…)')
  .requiredOption('--reason <text>', 'why it is rejected (kept in the history)')
  .option('--as <user>', 'act as this desk user')
  .action(async (id: string, opts: { reason: string; as?: string }) => {
    process.exitCode = await reviewRejectCommand(settings(), id, opts);
  });

program
  .command('demo')
  .description('serve the bundled demo feeds locally, run the pipeline once and print the review queue (offline)')
  .option('--serve', "then open the editors' desk over the demo drafts (prints a login token) until Ctrl-C")
  .addOption(portOption('with --serve: port'))
  .action(async (opts: { serve?: boolean; port: number }) => {
    process.exitCode = await demoCommand(process.env, opts);
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
