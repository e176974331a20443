import { addUser } from '../../src/auth/userStore.ts';
import type { Role } from '../../src/auth/roles.ts';
import { fixedClock } from '../../src/clock.ts';
import type { Settings } from '../../src/config/settings.ts';
import { commitDrafts } from '../../src/dedupe/seenStore.ts';
import type { RedisClient } from '../../src/redisClient.ts';
import { ageRank, reviewRank } from '../../src/drafts/score.ts';
import { toDraft } from '../../src/drafts/toDraft.ts';
import { createLogger } from '../../src/log.ts';
import type { FeedItem } from '../../src/parse/types.ts';
import { createRedis } from '../../src/queue/connection.ts';
import { createKeys, type Keys } from '../../src/queue/keys.ts';
import { startWebServer, type WebServer } from '../../src/web/startServer.ts';
import { dropPrefix, testPrefix, testSettings } from './redis.ts';

// Response bodies are JSON whose shape each test asserts; `any` keeps those assertions readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface Response<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface DeskHarness {
  server: WebServer;
  url: string;
  settings: Settings;
  redis: RedisClient;
  keys: Keys;
  clock: ReturnType<typeof fixedClock>;
  tokens: Record<'viewer' | 'editor' | 'editor2' | 'operator', string>;
  /** Puts drafts in the review queue the way the ingest worker does; returns their ids in input order. */
  seed(items: Partial<FeedItem>[], sourceName?: string): Promise<string[]>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  api<T = any>(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response<T>>;
}

let counter = 0;

/** A desk server on 127.0.0.1 (port 0) over real Redis under a fresh prefix, with four users and a clock the test moves. */
export async function withDesk(fn: (h: DeskHarness) => Promise<void>, env: Record<string, string> = {}): Promise<void> {
  const prefix = testPrefix();
  const settings = testSettings(prefix, { SIGNAL_DESK_CLAIM_MINUTES: '15', ...env });
  const clock = fixedClock(Date.parse('2026-11-27T10:00:00Z'));
  const redis = createRedis(settings.redisUrl);
  const keys = createKeys(prefix);
  const server = await startWebServer(settings, { port: 0, host: '127.0.0.1', clock, logger: createLogger('silent') });
  const tokens = {} as DeskHarness['tokens'];
  const roles: [keyof DeskHarness['tokens'], Role][] = [['viewer', 'viewer'], ['editor', 'editor'], ['editor2', 'editor'], ['operator', 'operator']];
  for (const [name, role] of roles) tokens[name] = (await addUser(redis, keys, name, role, new Date(clock.now()))).token;
  try {
    await fn({
      server,
      url: server.url,
      settings,
      redis,
      keys,
      clock,
      tokens,
      seed: async (items, sourceName = 'Tom’s Hardware') => {
        const source = { id: 'toms', name: sourceName, url: 'https://www.tomshardware.com/feeds/all', weight: 0.8, category: 'Infrastructure Software', tags: [] };
        const drafts = items.map((it) => {
          const n = ++counter;
          const item: FeedItem = { key: `k${n}`, guid: `g${n}`, url: `https://www.tomshardware.com/news/${n}`, title: `Headline ${n}`, author: null, publishedAt: new Date(clock.now() - n * 60_000).toISOString(), updatedAt: null, categories: [], summary: null, ...it };
          return toDraft(item, source, new Date(clock.now()).toISOString());
        });
        const records = drafts.map((d, i) => ({ itemHash: `h-${d.id}-${i}`, urlHash: undefined, draftId: d.id, rank: reviewRank(d.score, d.discoveredAt), age: ageRank(d.publishedAt, d.discoveredAt), json: JSON.stringify(d) }));
        await commitDrafts(redis, keys, source.id, records, clock.now(), 86_400_000);
        return drafts.map((d) => d.id);
      },
      api: async (method, path, options = {}) => {
        const headers: Record<string, string> = { ...options.headers };
        if (options.token) headers.authorization = `Bearer ${options.token}`;
        if (options.body !== undefined) headers['content-type'] = 'application/json';
        const res = await fetch(`${server.url}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body), redirect: 'manual' });
        const text = await res.text();
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        let body: any = text;
        try {
          body = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        return { status: res.status, body, text, headers: res.headers };
      },
    });
  } finally {
    await server.close();
    await redis.quit();
    await dropPrefix(prefix);
  }
}

/** Editorial fields that make a draft publishable. */
export const EDITORIAL = {
  category: 'Infrastructure Software',
  horizon: 'Short term',
  summary: 'A vendor changed its licence terms for a widely deployed component.',
  whyNow: 'The change takes effect at the next renewal cycle.',
  whyImportant: 'Operators of large fleets face higher costs or a migration.',
  whatChanges: 'Procurement teams reopen evaluations of alternatives.',
  winners: ['Open-source forks'],
  losers: ['Incumbent vendor'],
  secondOrderEffects: { direct: 'Budget pressure', second: 'Fork adoption', third: 'Standards shift' },
  editorialConfidence: 60,
  structuralImpact: 90,
} as const;
