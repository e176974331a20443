import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Keys } from '../queue/keys.ts';
import { withScripts } from '../queue/scripts.ts';
import type { RedisClient } from '../redisClient.ts';
import { parseSources, type SourcesOptions } from './loadSources.ts';
import type { Source } from './sourceSchema.ts';

/**
 * The sources configuration in force, kept in Redis (`{prefix}:config:sources`) so that every `run` process
 * polls from one configuration whatever file its machine has. A scheduling `run` writes the file it applied;
 * every process (schedulers included) follows the newest version: on the pub/sub notice, on each reconcile,
 * on a poll of a source it does not know, and every SIGNAL_DESK_STATE_CHECK_MS.
 *
 * The rule between two schedulers with different files: the latest applied file wins. Starting a scheduler,
 * or changing its file, applies it (a warning names the version it replaces). A reload whose process has not
 * seen the version now in Redis is refused (compare-and-set on the version): that process follows the newer
 * version, warns with both hashes, and does not apply its file again until the file changes.
 */
export interface AppliedSources {
  version: number;
  hash: string;
  appliedAt: number;
  appliedBy: string;
  sources: Source[];
}

/** JSON with object keys sorted at every level: the same sources give the same text, hence the same hash. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function digestSources(sources: Source[]): { json: string; hash: string } {
  const json = canonicalJson({ sources });
  return { json, hash: sha256(json) };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Short form of a hash for messages. */
export const shortHash = (hash: string) => hash.slice(0, 12);

// KEYS[1] the config hash. ARGV: hash, json, appliedAt, appliedBy, mode ('start' | 'reload'), held version
// (the newest this process has in force, 0 if none), channel.
// 'same': Redis holds these sources already. 'stale' (reload only): Redis holds a version this process has not
// seen; nothing written. 'applied': written as max(stored, held) + 1 (a Redis that lost the key does not
// restart the versions below what followers hold), and the new version published on the channel.
const APPLY_LUA = `
local cur = redis.call('HMGET', KEYS[1], 'version', 'hash', 'appliedBy')
local v = tonumber(cur[1])
if v and cur[2] == ARGV[1] then return {'same', v, cur[2], cur[3] or ''} end
local held = tonumber(ARGV[6]) or 0
if v and ARGV[5] == 'reload' and v > held then return {'stale', v, cur[2] or '', cur[3] or ''} end
local nv = math.max(v or 0, held) + 1
redis.call('HSET', KEYS[1], 'version', nv, 'json', ARGV[2], 'hash', ARGV[1], 'appliedAt', ARGV[3], 'appliedBy', ARGV[4])
redis.call('PUBLISH', ARGV[7], tostring(nv))
return {'applied', nv, cur[2] or '', cur[3] or ''}
`;

type ScriptClient = RedisClient & { sdApplySources(numKeys: number, key: string, ...args: string[]): Promise<[string, number, string, string]> };

export interface ApplyResult {
  outcome: 'applied' | 'same' | 'stale';
  version: number;
  /** applied: the hash it replaced ('' when none); same/stale: the hash in Redis. */
  otherHash: string;
  otherBy: string;
}

/** Writes a scheduler's validated sources as the applied configuration, by the compare-and-set rule above. */
export async function applySources(
  redis: RedisClient,
  keys: Keys,
  sources: Source[],
  opts: { mode: 'start' | 'reload'; held: number; now: number; by: string },
): Promise<ApplyResult & { hash: string }> {
  const { json, hash } = digestSources(sources);
  const client = withScripts<ScriptClient>(redis, { sdApplySources: APPLY_LUA });
  const [outcome, version, otherHash, otherBy] = await client.sdApplySources(1, keys.configSources, hash, json, String(opts.now), opts.by, opts.mode, String(opts.held), keys.configChannel);
  return { outcome: outcome as ApplyResult['outcome'], version: Number(version), otherHash, otherBy, hash };
}

/** The stored configuration, re-validated with the sources file's own rules; undefined when Redis holds none. */
export async function readAppliedSources(redis: RedisClient, keys: Keys, options: SourcesOptions = {}): Promise<AppliedSources | undefined> {
  const h = await redis.hgetall(keys.configSources);
  if (!h.version && !h.json) return undefined;
  const where = `Redis ${keys.configSources} (version ${h.version ?? '?'}, applied by ${h.appliedBy ?? '?'})`;
  const version = Number(h.version);
  if (!Number.isSafeInteger(version) || version < 1 || typeof h.json !== 'string' || !h.hash) {
    throw new ConfigError([{ file: where, message: 'the stored sources configuration is incomplete (version, json and hash are required); restart a scheduling `signal-desk run` to write it again' }]);
  }
  if (sha256(h.json) !== h.hash) {
    throw new ConfigError([{ file: where, message: `the stored sources do not match their hash (${shortHash(h.hash)}): the key was edited or corrupted; restart a scheduling \`signal-desk run\` (or change its sources file) to write it again` }]);
  }
  const sources = parseSources(h.json, where, options);
  return { version, hash: h.hash, appliedAt: Number(h.appliedAt ?? 0), appliedBy: h.appliedBy ?? '', sources };
}

export interface FollowerDeps {
  redis: RedisClient;
  keys: Keys;
  options: SourcesOptions;
  logger: Logger;
  /** Called with each newer valid version, in order. */
  onVersion(applied: AppliedSources): void;
}

/**
 * Follows the applied configuration: `refresh` reads Redis and hands a newer valid version to onVersion; a
 * stored configuration that is invalid is refused (logged once per version) and the last good one stays.
 */
export class SourcesFollower {
  version = 0;
  hash = '';
  appliedBy = '';
  private refused = 0;
  private running: Promise<void> = Promise.resolve();
  private subscriber: RedisClient | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: FollowerDeps) {}

  /** Marks a version as in force (a scheduler that just applied its own file). */
  hold(version: number, hash: string, appliedBy: string): void {
    if (version < this.version) return;
    this.version = version;
    this.hash = hash;
    this.appliedBy = appliedBy;
  }

  /** Reads the stored version; one read at a time (calls made meanwhile share the next read). */
  refresh(): Promise<void> {
    this.running = this.running.then(() => this.readOnce()).catch((err: unknown) => this.deps.logger.error({ err }, 'reading the applied sources configuration from Redis failed; the running configuration stays'));
    return this.running;
  }

  private async readOnce(): Promise<void> {
    const { redis, keys, options, logger } = this.deps;
    const head = await redis.hmget(keys.configSources, 'version', 'hash');
    const stored = Number(head[0] ?? 0);
    if (!stored || stored <= this.version) return;
    if (stored === this.refused) return;
    let applied: AppliedSources | undefined;
    try {
      applied = await readAppliedSources(redis, keys, options);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      this.refused = stored;
      logger.error({ issues: err.issues, version: stored, in_force: this.version }, `the sources configuration stored in Redis is refused; this process keeps version ${this.version || 'none'}:\n${err.message}`);
      return;
    }
    if (!applied || applied.version <= this.version) return;
    this.hold(applied.version, applied.hash, applied.appliedBy);
    this.deps.onVersion(applied);
    logger.info({ version: applied.version, hash: applied.hash, applied_by: applied.appliedBy, sources: applied.sources.length }, `following the sources configuration version ${applied.version} (${shortHash(applied.hash)}, applied by ${applied.appliedBy}): ${applied.sources.length} sources`);
  }

  /** Listens for new versions (pub/sub on a connection of its own) and checks every intervalMs too. */
  async start(intervalMs: number): Promise<void> {
    const sub = (this.subscriber = (this.deps.redis as Redis).duplicate());
    sub.on('error', (err: Error) => this.deps.logger.debug({ err }, 'sources configuration subscription: connection error (it reconnects)'));
    sub.on('message', () => void this.refresh());
    await sub.subscribe(this.deps.keys.configChannel);
    this.timer = setInterval(() => void this.refresh(), intervalMs);
    this.timer.unref();
  }

  /** Until Redis holds a valid configuration: a worker that starts before any scheduler waits for one. */
  async waitForFirst(intervalMs: number, signal?: AbortSignal): Promise<boolean> {
    let told = false;
    while (this.version === 0) {
      await this.refresh();
      if (this.version > 0) break;
      if (signal?.aborted) return false;
      if (!told) {
        told = true;
        this.deps.logger.warn({ key: this.deps.keys.configSources }, `no sources configuration in Redis yet (${this.deps.keys.configSources}): waiting for a scheduling \`signal-desk run\` to apply its sources file`);
      }
      await new Promise((r) => setTimeout(r, intervalMs).unref());
    }
    return true;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    const sub = this.subscriber;
    this.subscriber = undefined;
    if (sub) await sub.quit().catch(() => sub.disconnect());
  }
}
