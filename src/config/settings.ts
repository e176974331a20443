import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { toHttpUrl } from '../drafts/httpUrl.ts';

/** A URL setting: http(s) only, as every link the desk publishes or calls (`javascript:` or `file:` is a config error). A webhook receiver may take basic-auth credentials. */
const httpSetting = (message: string) => z.string().refine((v) => toHttpUrl(v.replace(/^(\s*https?:\/\/)[^/@]*@/i, '$1')) !== undefined, message);

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

/** Environment variables, each with its default. The README's configuration reference mirrors this. */
const EnvSchema = z.object({
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  SIGNAL_DESK_PREFIX: z.string().regex(/^(\{[^{}]+\}|[^{}:\s]+)$/, 'must be a name like "sd" (or already hash-tagged like "{sd}")').default('sd'),
  SIGNAL_DESK_SOURCES: z.string().default('config/sources.yaml'),
  SIGNAL_DESK_SOURCES_MAX_BYTES: int(5 * 1024 * 1024, 1024),
  SIGNAL_DESK_CONTACT_URL: z.string().url('must be a URL where site owners can reach you (https://… or mailto:…)').optional(),
  SIGNAL_DESK_ALLOW_PRIVATE: z.string().default(''),
  SIGNAL_DESK_MAX_BYTES: int(10 * 1024 * 1024, 1024),
  SIGNAL_DESK_FETCH_TIMEOUT_MS: int(30_000, 100),
  SIGNAL_DESK_SEEN_DAYS: z.coerce.number().positive().default(90),
  SIGNAL_DESK_POLL_CONCURRENCY: int(16, 1),
  SIGNAL_DESK_INGEST_CONCURRENCY: int(4, 1),
  SIGNAL_DESK_ATTEMPTS: int(4, 1),
  SIGNAL_DESK_BACKOFF_MS: int(30_000, 0),
  SIGNAL_DESK_BACKOFF_CAP_MS: int(6 * 3_600_000, 60_000),
  SIGNAL_DESK_HOST_CONCURRENCY: int(2, 1),
  SIGNAL_DESK_HOST_DELAY_MS: int(1000, 0),
  SIGNAL_DESK_LOCK_MS: int(30_000, 500),
  SIGNAL_DESK_STALLED_MS: int(30_000, 200),
  SIGNAL_DESK_SHUTDOWN_MS: int(10_000, 0),
  SIGNAL_DESK_STATE_CHECK_MS: int(180_000, 100),
  SIGNAL_DESK_PUBLIC_URL: httpSetting('must be the http(s) URL readers reach the desk at, e.g. https://desk.example.com').optional(),
  SIGNAL_DESK_CLAIM_MINUTES: z.coerce.number().positive().default(15),
  SIGNAL_DESK_SESSION_HOURS: z.coerce.number().positive().default(12),
  SIGNAL_DESK_AUTH_FAILURES: int(10, 1),
  SIGNAL_DESK_AUTH_WINDOW_MINUTES: z.coerce.number().positive().default(15),
  SIGNAL_DESK_WEBHOOK_URL: httpSetting('must be an http(s) URL that receives published signals').optional(),
  SIGNAL_DESK_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters (e.g. `openssl rand -hex 32`)').optional(),
  SIGNAL_DESK_WEBHOOK_ATTEMPTS: int(8, 1),
  SIGNAL_DESK_ENRICH: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
  SIGNAL_DESK_PAGE_MAX_BYTES: int(2 * 1024 * 1024, 1024),
  SIGNAL_DESK_ENRICH_CONCURRENCY: int(4, 1),
  SIGNAL_DESK_ENRICH_WAIT_MS: int(60_000, 0),
  SIGNAL_DESK_STORY_HOURS: z.coerce.number().positive().max(24 * 90, 'at most 2160 (90 days)').default(72),
  SIGNAL_DESK_CATEGORIES: z.string().default('config/categories.yaml'),
  SIGNAL_DESK_RULES: z.string().default('config/rules.yaml'),
  SIGNAL_DESK_ANNOTATE_CONCURRENCY: int(2, 1),
  SIGNAL_DESK_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SIGNAL_DESK_LOG_FILE: z.string().optional(),
});

export interface Settings {
  redisUrl: string;
  /** Key and queue prefix in Redis Cluster hash-tag form ("{sd}") so that one deployment's keys share a slot. */
  prefix: string;
  sourcesFile: string;
  /** Cap on the sources file's size, checked before it is read. */
  sourcesMaxBytes: number;
  contactUrl: string | undefined;
  /** Non-public addresses that may be fetched anyway (the demo and tests use 127.0.0.1). */
  allowPrivate: BlockList;
  allowPrivateText: string;
  maxBytes: number;
  fetchTimeoutMs: number;
  seenTtlMs: number;
  pollConcurrency: number;
  ingestConcurrency: number;
  attempts: number;
  backoffMs: number;
  /** The longest wait between polls of a failing source (its backoff grows up to this, then stays). */
  backoffCapMs: number;
  /** Requests in flight to one host at once, across all processes. */
  hostConcurrency: number;
  /** Least time between two requests to one host, across all processes. */
  hostDelayMs: number;
  lockMs: number;
  stalledMs: number;
  shutdownMs: number;
  /** How often a scheduling `run` checks that Redis still holds its state (besides after every reconnect). */
  stateCheckMs: number;
  logLevel: string;
  /** SIGNAL_DESK_LOG_FILE: the JSON logs go to this file (appended) instead of stderr. */
  logFile: string | undefined;
  /** Base URL used in feeds and links; when unset, the server derives it from its own address. */
  publicUrl: string | undefined;
  claimMs: number;
  sessionMs: number;
  /** Failed logins or tokens allowed per client (IP address, IPv6 /64) per window, across all desk processes. */
  authFailures: { limit: number; windowMs: number };
  /** Where published signals are POSTed, HMAC-SHA256 signed with the secret; undefined turns the webhook off. */
  webhook: { url: string; secret: string; attempts: number } | undefined;
  /** SIGNAL_DESK_ENRICH: fetch each new draft's article page for its metadata (off: drafts are marked disabled). */
  enrich: boolean;
  /** Cap on an article page's decoded bytes (SIGNAL_DESK_PAGE_MAX_BYTES). */
  pageMaxBytes: number;
  /** Article pages fetched at once by one process (SIGNAL_DESK_ENRICH_CONCURRENCY). */
  enrichConcurrency: number;
  /** How long `run --once` waits for its new drafts' article pages before it reports them as pending (SIGNAL_DESK_ENRICH_WAIT_MS). */
  enrichWaitMs: number;
  /** SIGNAL_DESK_STORY_HOURS as ms: a draft joins a story that gained a member within this window. */
  storyWindowMs: number;
  /** The taxonomy file (SIGNAL_DESK_CATEGORIES); absent is allowed (no taxonomy suggestions). */
  categoriesFile: string;
  /** The rules file (SIGNAL_DESK_RULES); absent is allowed (no rules). */
  rulesFile: string;
  /** Annotate jobs (entities, rules, category suggestion) run at once by one process. */
  annotateConcurrency: number;
}

export function hashTagPrefix(prefix: string): string {
  return prefix.startsWith('{') ? prefix : `{${prefix}}`;
}

export function loadSettings(env: Record<string, string | undefined> = process.env): Settings {
  const parsed = EnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ file: 'environment', field: i.path.join('.'), message: i.message })));
  }
  const e = parsed.data;
  if (e.SIGNAL_DESK_WEBHOOK_URL && !e.SIGNAL_DESK_WEBHOOK_SECRET) {
    throw new ConfigError([{ file: 'environment', field: 'SIGNAL_DESK_WEBHOOK_SECRET', message: 'is required when SIGNAL_DESK_WEBHOOK_URL is set: receivers check each delivery\'s signature with it (e.g. `openssl rand -hex 32`)' }]);
  }
  return {
    redisUrl: e.REDIS_URL,
    prefix: hashTagPrefix(e.SIGNAL_DESK_PREFIX),
    sourcesFile: e.SIGNAL_DESK_SOURCES,
    sourcesMaxBytes: e.SIGNAL_DESK_SOURCES_MAX_BYTES,
    contactUrl: e.SIGNAL_DESK_CONTACT_URL,
    allowPrivate: parseAllowList(e.SIGNAL_DESK_ALLOW_PRIVATE),
    allowPrivateText: e.SIGNAL_DESK_ALLOW_PRIVATE,
    maxBytes: e.SIGNAL_DESK_MAX_BYTES,
    fetchTimeoutMs: e.SIGNAL_DESK_FETCH_TIMEOUT_MS,
    seenTtlMs: Math.round(e.SIGNAL_DESK_SEEN_DAYS * 86_400_000),
    pollConcurrency: e.SIGNAL_DESK_POLL_CONCURRENCY,
    ingestConcurrency: e.SIGNAL_DESK_INGEST_CONCURRENCY,
    attempts: e.SIGNAL_DESK_ATTEMPTS,
    backoffMs: e.SIGNAL_DESK_BACKOFF_MS,
    backoffCapMs: e.SIGNAL_DESK_BACKOFF_CAP_MS,
    hostConcurrency: e.SIGNAL_DESK_HOST_CONCURRENCY,
    hostDelayMs: e.SIGNAL_DESK_HOST_DELAY_MS,
    lockMs: e.SIGNAL_DESK_LOCK_MS,
    stalledMs: e.SIGNAL_DESK_STALLED_MS,
    shutdownMs: e.SIGNAL_DESK_SHUTDOWN_MS,
    stateCheckMs: e.SIGNAL_DESK_STATE_CHECK_MS,
    logLevel: e.SIGNAL_DESK_LOG_LEVEL,
    logFile: e.SIGNAL_DESK_LOG_FILE,
    publicUrl: e.SIGNAL_DESK_PUBLIC_URL?.replace(/\/+$/, ''),
    claimMs: Math.round(e.SIGNAL_DESK_CLAIM_MINUTES * 60_000),
    sessionMs: Math.round(e.SIGNAL_DESK_SESSION_HOURS * 3_600_000),
    authFailures: { limit: e.SIGNAL_DESK_AUTH_FAILURES, windowMs: Math.round(e.SIGNAL_DESK_AUTH_WINDOW_MINUTES * 60_000) },
    enrich: e.SIGNAL_DESK_ENRICH === 'on',
    pageMaxBytes: e.SIGNAL_DESK_PAGE_MAX_BYTES,
    enrichConcurrency: e.SIGNAL_DESK_ENRICH_CONCURRENCY,
    enrichWaitMs: e.SIGNAL_DESK_ENRICH_WAIT_MS,
    storyWindowMs: Math.round(e.SIGNAL_DESK_STORY_HOURS * 3_600_000),
    categoriesFile: e.SIGNAL_DESK_CATEGORIES,
    rulesFile: e.SIGNAL_DESK_RULES,
    annotateConcurrency: e.SIGNAL_DESK_ANNOTATE_CONCURRENCY,
    webhook: e.SIGNAL_DESK_WEBHOOK_URL ? { url: e.SIGNAL_DESK_WEBHOOK_URL, secret: e.SIGNAL_DESK_WEBHOOK_SECRET!, attempts: e.SIGNAL_DESK_WEBHOOK_ATTEMPTS } : undefined,
  };
}

/** "127.0.0.1, 10.0.0.0/8, ::1" → a BlockList used as an allow-list. */
export function parseAllowList(text: string): BlockList {
  const list = new BlockList();
  for (const raw of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [addr, bits] = raw.split('/');
    const family = isIP(addr ?? '');
    if (!family) {
      throw new ConfigError([{ file: 'environment', field: 'SIGNAL_DESK_ALLOW_PRIVATE', message: `"${raw}" is not an IP address or CIDR range (e.g. 127.0.0.1 or 10.0.0.0/8)` }]);
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr!, type);
    else list.addSubnet(addr!, Number(bits), type);
  }
  return list;
}
