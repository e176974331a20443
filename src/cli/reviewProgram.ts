import type { Command } from 'commander';
import type { Settings } from '../config/settings.ts';
import { DRAFT_STATUSES, type DraftStatus } from '../drafts/schema.ts';
import {
  reviewApproveCommand,
  reviewClaimCommand,
  reviewEditCommand,
  reviewListCommand,
  reviewMergeCommand,
  reviewMoveCommand,
  reviewRejectCommand,
  reviewReleaseCommand,
  reviewReopenCommand,
  reviewShowCommand,
  reviewSplitCommand,
} from './commands/review.ts';
import { collect, oneOf, positiveInt } from './options.ts';

/** Where a command reads, writes and reports: the process in bin/signal-desk.js, buffers when run in-process (tests). */
export interface CliIo {
  settings(): Settings;
  stdout: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  setExitCode(code: number): void;
}

const DRAFT_ID = 'draft id (d_…)';
const VERSION_HELP = 'the version you read (default: the current version, read just before the change)';

/** `signal-desk review …`: the review queue, every task an editor does on the desk, through the same Desk service. */
export function registerReviewCommands(program: Command, io: CliIo): void {
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
      io.setExitCode(await reviewListCommand(io.settings(), opts, io.stdout));
    });
  reviewCmd
    .command('split')
    .description('take a draft out of its story into a story of its own; it never rejoins the story it left')
    .argument('<id>', 'draft id (d_…)')
    .option('--as <user>', 'act as this desk user')
    .action(async (id: string, opts: { as?: string }) => {
      io.setExitCode(await reviewSplitCommand(io.settings(), id, opts, io.stdout));
    });
  reviewCmd
    .command('move')
    .description('move a draft to another story (see review list), pinned there: the pipeline never moves it again')
    .argument('<id>', 'draft id (d_…)')
    .requiredOption('--to <story>', 'the story id (s_…)')
    .option('--as <user>', 'act as this desk user')
    .action(async (id: string, opts: { to: string; as?: string }) => {
      io.setExitCode(await reviewMoveCommand(io.settings(), id, opts, io.stdout));
    });
  reviewCmd
    .command('show')
    .description('one draft: metadata, excerpt (editor only), editorial fields, claim and history')
    .argument('<id>', 'draft id (d_…)')
    .option('--json', 'print JSON')
    .option('--as <user>', 'act as this desk user')
    .action(async (id: string, opts: { json?: boolean; as?: string }) => {
      io.setExitCode(await reviewShowCommand(io.settings(), id, opts, io.stdout));
    });
  reviewCmd
    .command('approve')
    .description('approve a draft and publish it as a signal (refused when editorial fields are missing or copy the source)')
    .argument('<id>', 'draft id (d_…)')
    .option('--as <user>', 'act as this desk user')
    .action(async (id: string, opts: { as?: string }) => {
      io.setExitCode(await reviewApproveCommand(io.settings(), id, opts, io.stdout));
    });
  reviewCmd
    .command('reject')
    .description('reject a draft, saying why')
    .argument('<id>', 'draft id (d_…)')
    .requiredOption('--reason <text>', 'why it is rejected (kept in the history)')
    .option('--as <user>', 'act as this desk user')
    .action(async (id: string, opts: { reason: string; as?: string }) => {
      io.setExitCode(await reviewRejectCommand(io.settings(), id, opts, io.stdout));
    });

  reviewCmd
    .command('edit')
    .description('edit editorial fields, as the desk\'s form does (same checks, same refusals); FIELD as the desk labels it ("Why now") or as the API names it (whyNow)')
    .argument('<id>', DRAFT_ID)
    .option('--set <FIELD=VALUE>', 'set a field (repeatable); an empty VALUE clears it; lists (Winners, Losers, Tags) take several --set or one VALUE split at line breaks, or on one line at commas; 0–100 levels and the score are numbers', collect)
    .option('--from <file>', 'a JSON object of fields as the API takes them ({"whyNow": "…", "winners": ["…"]}); - reads stdin; --set applies on top')
    .option('--version <n>', VERSION_HELP, positiveInt)
    .option('--as <user>', 'act as this desk user')
    .action(async (id: string, opts: { set?: string[]; from?: string; version?: number; as?: string }) => {
      io.setExitCode(await reviewEditCommand(io.settings(), id, opts, io.stdout, io.stdin));
    });
  reviewCmd
    .command('claim')
    .description('claim a pending draft (or renew your claim) for SIGNAL_DESK_CLAIM_MINUTES: others cannot change it meanwhile')
    .argument('<id>', DRAFT_ID)
    .option('--force', 'operators: take over a live claim someone else holds')
    .option('--as <user>', 'act as this desk user')
    .action(async (id: string, opts: { force?: boolean; as?: string }) => {
      io.setExitCode(await reviewClaimCommand(io.settings(), id, opts, io.stdout));
    });
  reviewCmd
    .command('release')
    .description('release your claim on a draft')
    .argument('<id>', DRAFT_ID)
    .option('--force', "operators: drop someone else's live claim")
    .option('--as <user>', 'act as this desk user')
    .action(async (id: string, opts: { force?: boolean; as?: string }) => {
      io.setExitCode(await reviewReleaseCommand(io.settings(), id, opts, io.stdout));
    });
  reviewCmd
    .command('merge')
    .description('merge a pending draft into another pending draft, which lists it as related coverage (undo with review reopen)')
    .argument('<id>', DRAFT_ID)
    .requiredOption('--into <id>', 'the draft that keeps the story (d_…)')
    .option('--version <n>', VERSION_HELP, positiveInt)
    .option('--as <user>', 'act as this desk user')
    .action(async (id: string, opts: { into: string; version?: number; as?: string }) => {
      io.setExitCode(await reviewMergeCommand(io.settings(), id, opts, io.stdout));
    });
  reviewCmd
    .command('reopen')
    .description('send a rejected or merged draft back to the queue (a published one stays published)')
    .argument('<id>', DRAFT_ID)
    .option('--version <n>', VERSION_HELP, positiveInt)
    .option('--as <user>', 'act as this desk user')
    .action(async (id: string, opts: { version?: number; as?: string }) => {
      io.setExitCode(await reviewReopenCommand(io.settings(), id, opts, io.stdout));
    });
}
