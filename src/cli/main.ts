import { existsSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { loadSources } from '../config/loadSources.ts';
import { loadSettings, type Settings } from '../config/settings.ts';
import { demoCommand } from './commands/demo.ts';
import { migrateCommand } from './commands/migrate.ts';
import { parseCommand } from './commands/parse.ts';
import { extractCommand } from './commands/extract.ts';
import { clusterCommand } from './commands/cluster.ts';
import { ROLES, type Role } from '../auth/roles.ts';
import { registerReviewCommands } from './reviewProgram.ts';
import { serveCommand } from './commands/serve.ts';
import { usersAddCommand, usersListCommand, usersRevokeCommand } from './commands/users.ts';
import { FAIL_ON, runCommand, type FailOn } from './commands/run.ts';
import { resolve } from 'node:path';
import { logFileProblem } from '../log.ts';
import { SignalDeskError } from '../errors.ts';
import { actionCommand, auditCommand, listCommand, statusCommand, testCommand, validateCommand } from './commands/sources.ts';
import type { SourceAction } from '../sources/sourceAudit.ts';
import { addCommand, exportCommand, importCommand } from './commands/onboard.ts';
import { requireRedis } from './redis.ts';
import { oneOf, positiveInt } from './options.ts';
import { reportError } from './reportError.ts';
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

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0–65535)');
  return n;
};
const DEFAULT_HOST = process.env.SIGNAL_DESK_HOST || '127.0.0.1';
const DEFAULT_PORT = process.env.PORT ? port(process.env.PORT) : 8080;
// Commander prints "(default: …)" after the description itself: a description that says it too says it twice.
const portOption = (description: string) => new Option('--port <port>', description).argParser(port).default(DEFAULT_PORT, '$PORT or 8080');
const hostOption = (description: string) => new Option('--host <host>', description).default(DEFAULT_HOST, '$SIGNAL_DESK_HOST or 127.0.0.1');

const program = new Command('signal-desk')
  .description('Source-monitoring ingestion for a news-intelligence brief: poll feeds, de-duplicate, queue draft signals for editors.')
  .version(pkg.version)
  // `--version` after a command is that command's (`review edit ID --version 3`), not the program's.
  .enablePositionalOptions()
  .showHelpAfterError();

program
  .command('run')
  .description('run job schedulers and workers until SIGTERM/SIGINT')
  .option('--once', 'poll every enabled source once, wait for its drafts, print a summary and exit (1 if a source failed: see --fail-on); for cron')
  .option('--no-scheduler', 'only work jobs; do not sync the job schedulers (for extra worker processes); reads no sources file: follows the sources configuration a scheduling run applied in Redis (waits for one)')
  .option('--sources <file>', 'sources file (default: $SIGNAL_DESK_SOURCES or config/sources.yaml); a scheduling run applies it to Redis for every worker process')
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
    // A --no-scheduler run takes its sources from the configuration a scheduling run applied in Redis: no file.
    // A file, when there is one, only serves until Redis holds an applied configuration.
    const follower = opts.scheduler === false && !opts.once;
    const noFile = follower && opts.sources === undefined && !existsSync(s.sourcesFile);
    const sources = noFile ? [] : await loadSources(s.sourcesFile, s);
    await requireRedis(s.redisUrl);
    // Setting SIGNAL_DESK_LOG_LEVEL asks for the logs: without a log file, --once shows them on stderr as --verbose does.
    const verbose = opts.verbose || (opts.once === true && !logFile && Boolean(process.env.SIGNAL_DESK_LOG_LEVEL));
    process.exitCode = await runCommand(s, sources, { ...opts, logFile, verbose, noFile });
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
    process.exitCode = await listCommand(await loadSources(s.sourcesFile, s), opts, s);
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
  .option('--force', 'also offer announced feeds that fail to fetch or parse (after the working ones), to add one anyway')
  .option('--sources <file>', 'sources file')
  .action(async (url: string, opts: { id?: string; name?: string; category?: string; pick?: number; dryRun?: boolean; force?: boolean; sources?: string }) => {
    process.exitCode = await addCommand(settings(opts.sources), url, opts);
  });
sourcesCmd
  .command('import')
  .description('add the subscriptions of an OPML file (every field kept when exported by Signal Desk: sd: attributes; files of other readers too); reports what is skipped and why; a file that is not OPML or is truncated: exit 1 with its line and column')
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
const ACTION_HELP: Record<Exclude<SourceAction, 'resume'>, string> = {
  poll: "poll a source now: its chain's next poll is moved to now, or the poll a cron schedule would queue is queued (never a second one while one runs or waits); a running `run` does it",
  pause: 'stop polling a source until `sources resume` (runtime state in Redis, survives restarts, shown by `sources status`; the sources file is unchanged: compare `disable`)',
  disable: 'write `enabled: false` for a source to the sources file (comments kept, validated); a running `run` reloads it',
  enable: 'remove `enabled: false` from a source in the sources file (comments kept, validated); a running `run` reloads it',
  remove: 'remove a source from the sources file (comments kept, validated); a running `run` stops its polls; its history in Redis stays',
};
for (const [action, description] of Object.entries(ACTION_HELP) as [SourceAction, string][]) {
  sourcesCmd
    .command(action)
    .description(`${description}; audited (\`sources audit\`)`)
    .argument('<id>', 'source id')
    .option('--sources <file>', 'sources file')
    .action(async (id: string, opts: { sources?: string }) => {
      process.exitCode = await actionCommand(settings(opts.sources), action, id);
    });
}
sourcesCmd
  .command('resume')
  .description('poll a source paused by an operator (`sources pause`) or by 410 Gone again (changing its URL in the file also resumes a 410 pause); audited')
  .argument('<id>', 'source id')
  .option('--sources <file>', 'sources file')
  .action(async (id: string, opts: { sources?: string }) => {
    process.exitCode = await actionCommand(settings(opts.sources), 'resume', id);
  });
sourcesCmd
  .command('audit')
  .description('operators\' source actions, newest first: when, who, via (cli, api, desk), action, source, result, message')
  .argument('[id]', 'only this source')
  .option('--limit <n>', 'how many (default 50)', positiveInt)
  .option('--json', 'print JSON')
  .action(async (id: string | undefined, opts: { json?: boolean; limit?: number }) => {
    process.exitCode = await auditCommand(settings(), id, opts);
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
  .option('--content-location <url>', 'the Content-Location header it was served with: the base for relative links, resolved against --url')
  .option('--json', 'one JSON line per file: {file, ok, format, feed, items, error}')
  .action(async (files: string[], opts: { url?: string; contentLocation?: string; json?: boolean }) => {
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

registerReviewCommands(program, { settings: () => settings(), stdout: process.stdout, stdin: process.stdin, setExitCode: (code) => (process.exitCode = code) });

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
  process.exitCode = reportError(err, process.stderr);
}
