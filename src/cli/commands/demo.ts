import { fileURLToPath } from 'node:url';
import { loadSources } from '../../config/loadSources.ts';
import { loadSettings } from '../../config/settings.ts';
import { startFeedServer } from '../../demo/feedServer.ts';
import { hasRedisServerBinary, startPrivateRedis } from '../../demo/privateRedis.ts';
import { SignalDeskError } from '../../errors.ts';
import { pingRedis } from '../../queue/connection.ts';
import { startRuntime } from '../../../workers/runtime.ts';
import { REDIS_HELP } from '../redis.ts';
import { addUser, revokeUser } from '../../auth/userStore.ts';
import type { Settings } from '../../config/settings.ts';
import { createRedis } from '../../queue/connection.ts';
import { createKeys } from '../../queue/keys.ts';
import { startWebServer } from '../../web/startServer.ts';
import { pollOnce } from './run.ts';
import { reviewListCommand, reviewShowCommand } from './review.ts';
import { awaitEnrichment, pickShowcase, readPendingDrafts } from '../../demo/awaitEnrichment.ts';
import { awaitQueues } from '../../demo/awaitStories.ts';
import { describeStory, pickStory } from '../../demo/showStory.ts';
import { StoryRecord } from '../../stories/storyRecord.ts';
import type { Queue } from 'bullmq';
import { systemClock } from '../../clock.ts';
import type { DraftSignal } from '../../drafts/schema.ts';
import { truncate } from '../../parse/text.ts';
import { describeRobots } from '../../review/describeEnrichment.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DEMO_PORT = 4870;
/** The demo's sources file (absolute: the demo runs from any directory). */
export const DEMO_SOURCES = `${ROOT}config/demo.sources.yaml`;

/**
 * `npm run demo`: serves the bundled feeds from fixtures/demo on 127.0.0.1, runs the real pipeline once
 * against config/demo.sources.yaml and prints the review queue. Offline. Run it twice: the second run
 * gets 304s and adds no draft.
 */
export async function demoCommand(env: NodeJS.ProcessEnv = process.env, options: { serve?: boolean; port?: number } = {}): Promise<number> {
  const base = loadSettings(env);
  let redisUrl = base.redisUrl;
  let privateRedis: Awaited<ReturnType<typeof startPrivateRedis>> | undefined;
  if (!(await pingRedis(redisUrl))) {
    if (!hasRedisServerBinary()) throw new SignalDeskError('redis_unreachable', `the demo needs Redis and none answers at ${redisUrl}: ${REDIS_HELP}`);
    const dir = `${ROOT}.signal-desk/demo-redis`;
    privateRedis = await startPrivateRedis(dir);
    redisUrl = privateRedis.url;
    process.stderr.write(`No Redis answers at ${base.redisUrl}; started a private redis-server at ${redisUrl} for this run (data kept in ${dir}).\n`);
  }
  const feeds = await startFeedServer(`${ROOT}fixtures/demo`, Number(env.SIGNAL_DESK_DEMO_PORT ?? DEMO_PORT)).catch(() => startFeedServer(`${ROOT}fixtures/demo`, 0));
  try {
    const settings = loadSettings({
      ...env,
      REDIS_URL: redisUrl,
      SIGNAL_DESK_PREFIX: env.SIGNAL_DESK_PREFIX ?? 'sd-demo',
      // The demo's own sources, for the pipeline and for the desk's Sources page (`--serve`), whatever
      // SIGNAL_DESK_SOURCES says: the demo's Redis prefix holds their health, not the configured sources'.
      SIGNAL_DESK_SOURCES: DEMO_SOURCES,
      // The demo's publisher is this machine: allow loopback, and only loopback.
      SIGNAL_DESK_ALLOW_PRIVATE: '127.0.0.1/32',
      // Every demo feed is served by this machine: the per-host pacing meant for publishers is not needed.
      SIGNAL_DESK_HOST_CONCURRENCY: env.SIGNAL_DESK_HOST_CONCURRENCY ?? '8',
      SIGNAL_DESK_HOST_DELAY_MS: env.SIGNAL_DESK_HOST_DELAY_MS ?? '0',
      SIGNAL_DESK_LOG_LEVEL: env.SIGNAL_DESK_LOG_LEVEL ?? 'warn',
    });
    process.env.SIGNAL_DESK_DEMO_ORIGIN = feeds.origin;
    const sources = await loadSources(settings.sourcesFile, settings);
    process.stderr.write(`Serving ${sources.length} demo feeds at ${feeds.origin}/feeds/ (prefix ${settings.prefix}).\n`);
    const runtime = await startRuntime(settings, sources);
    let code: number;
    let drafts: DraftSignal[];
    try {
      code = await pollOnce(runtime, sources.filter((s) => s.enabled));
      // The enrich stage reads the article pages after the drafts are in the queue: give it a moment.
      ({ drafts } = await awaitEnrichment(runtime.ctx.redis, runtime.ctx.keys, systemClock, ENRICH_WAIT_MS));
      // Then the annotate and story stages re-read the enriched drafts (entities from the page, stories joined).
      const stages = runtime.ctx.queues as unknown as Partial<Record<'enrich' | 'annotate' | 'stories', Queue>>;
      await awaitQueues([stages.enrich, stages.annotate, stages.stories], systemClock, STAGES_WAIT_MS);
    } finally {
      await runtime.stop();
    }
    process.stdout.write('\nReview queue:\n');
    await reviewListCommand(settings, { limit: 20 });
    await showEnrichment(settings, drafts);
    await showStory(settings);
    if (options.serve) await serveDemoDesk(settings, options.port ?? 8080);
    else process.stdout.write('\nReview these drafts in the browser: npm run demo -- --serve\n');
    return code;
  } finally {
    await feeds.close();
    await privateRedis?.stop();
  }
}

/** How long the demo waits for the article pages to be read before it prints the queue. */
const ENRICH_WAIT_MS = 15_000;
/** …and then for the annotate and story stages to finish with them. */
const STAGES_WAIT_MS = 20_000;

/** The story with the most sources: one queue row, its members, and its lead draft's entities, suggestion and score breakdown. */
async function showStory(settings: Settings): Promise<void> {
  const redis = createRedis(settings.redisUrl);
  try {
    const keys = createKeys(settings.prefix);
    const story = pickStory(await readPendingDrafts(redis, keys));
    if (!story) {
      process.stdout.write('\nNo story has two sources yet: the annotate and story stages have not placed the drafts.\n');
      return;
    }
    const raw = await redis.get(keys.story(story.storyId));
    const record = raw ? StoryRecord.safeParse(JSON.parse(raw)) : undefined;
    process.stdout.write(`\n${describeStory(story, record?.success ? record.data : undefined).join('\n')}\n`);
  } finally {
    await redis.quit();
  }
}

/** What the article pages added: one draft in full (fields with their rules, coverage), and each robots directive obeyed. */
async function showEnrichment(settings: Settings, drafts: DraftSignal[]): Promise<void> {
  const enriched = drafts.filter((d) => d.enrichment?.state === 'done');
  if (drafts.every((d) => d.enrichment === null)) return;
  process.stdout.write(`\nArticle pages read for ${enriched.length} of ${drafts.length} pending drafts.\n`);
  for (const d of drafts) {
    for (const line of describeRobots(d.enrichment?.robots ?? null)) process.stdout.write(`  ${d.id}  ${line}  (${truncate(d.headline, 60)})\n`);
  }
  const showcase = pickShowcase(drafts);
  if (!showcase) return;
  process.stdout.write(`\nOne enriched draft in full (signal-desk review show ${showcase.id}):\n`);
  await reviewShowCommand(settings, showcase.id, {});
}

/** `demo --serve`: the desk over the demo's drafts, with a fresh token for a demo editor, until Ctrl-C. */
async function serveDemoDesk(settings: Settings, port: number): Promise<void> {
  const redis = createRedis(settings.redisUrl);
  const keys = createKeys(settings.prefix);
  let token: string;
  try {
    await revokeUser(redis, keys, 'demo-editor', new Date()).catch(() => undefined);
    token = (await addUser(redis, keys, 'demo-editor', 'editor', new Date())).token;
  } finally {
    await redis.quit();
  }
  const server = await startWebServer(settings, { port, host: '127.0.0.1' });
  process.stdout.write(`\nThe desk is at ${server.url}/ — log in with this token (user demo-editor, role editor):\n${token}\nCtrl-C stops it.\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
}
