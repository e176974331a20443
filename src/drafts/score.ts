import type { ScoreComponent } from './schema.ts';

const HOUR = 3_600_000;

/** The score a draft starts with, before annotation and its story are known: source weight and freshness. */
export function initialScore(source: { name: string; weight: number }, publishedAt: string | null, now: number): ExplainedScore {
  return explainScore({ weight: source.weight, publishedAt, now, publishers: [source], source: source.name, boost: 0, entities: { inHeadline: 0, shared: 0 } });
}

/** Review-queue order in one number: score first, then newest discovery (exact in a double up to year 2286). */
export function reviewRank(score: number, discoveredAt: string): number {
  return score * 1e13 + Date.parse(discoveredAt);
}

/** "Age" order in one number: the item's own date when it has one, else when we discovered it. Newest first. */
export function ageRank(publishedAt: string | null, discoveredAt: string): number {
  const published = publishedAt ? Date.parse(publishedAt) : Number.NaN;
  return Number.isNaN(published) ? Date.parse(discoveredAt) : published;
}

/** What the explained score is made of (every part known when it is computed). */
export interface ScoreInput {
  /** The source's trust weight, 0–1. */
  weight: number;
  publishedAt: string | null;
  now: number;
  /** Distinct publishers in the draft's story, with their weights (the draft's own source included). */
  publishers: { name: string; weight: number }[];
  /** The draft's own source name (left out of the publishers that count as coverage); omitted: the first publisher. */
  source?: string;
  /** Points from matched rules (annotation.boost). */
  boost: number;
  /** The rules that gave those points, for the detail ("DRAM watch +10"). */
  boostedBy?: string[];
  /** Entities named in the headline (and how many also appear in other members of the story). */
  entities: { inHeadline: number; shared: number };
}

export interface ExplainedScore {
  score: number;
  components: ScoreComponent[];
}

/**
 * How the 0–100 score is made, as data: each component's most points and how it earns them. The components
 * add up (rules may take points away); the total is held to 0–100. A lone fresh item from a fully trusted
 * source scores 60: the other 40 come from the story (other publishers) and what it names.
 */
export const SCORE_POINTS = {
  /** × the source's weight (0–1). */
  sourceWeight: 40,
  /** × freshness: full under 6 hours, halving every 24 hours after; undated counts as half fresh. */
  freshness: 20,
  /** Per other publisher in the story, × its weight; at most `coverageMax`. */
  perPublisher: 8,
  coverageMax: 25,
  /** Per entity named in the headline (at most 3 count), per entity another publisher's headline also names (at most 3). */
  perHeadlineEntity: 3,
  perSharedEntity: 2,
  entitiesMax: 15,
} as const;

const FRESH_HOURS = 6;
const HALF_LIFE_HOURS = 24;

/** 0–1: 1 under six hours old, then halving every 24 hours; an undated item counts 0.5. */
export function freshnessOf(publishedAt: string | null, now: number): number {
  const published = publishedAt ? Date.parse(publishedAt) : Number.NaN;
  return Number.isNaN(published) ? 0.5 : 0.5 ** (Math.max(0, (now - published) / HOUR - FRESH_HOURS) / HALF_LIFE_HOURS);
}

/**
 * The score (0–100) with its named components, each with its points and why in an editor's words: source
 * weight, freshness, coverage breadth (distinct other publishers and their weights), rule boosts, entity
 * prominence. Pure; the same input always gives the same breakdown. The parts add up to the score (before it
 * is held to 0–100).
 */
export function explainScore(input: ScoreInput): ExplainedScore {
  const P = SCORE_POINTS;
  const weight = clamp01(input.weight);
  const fresh = freshnessOf(input.publishedAt, input.now);
  const own = (input.source ?? input.publishers[0]?.name ?? '').toLowerCase();
  const others = distinctPublishers(input.publishers).filter((p) => p.name.toLowerCase() !== own);
  const coverage = Math.min(P.coverageMax, others.reduce((sum, p) => sum + P.perPublisher * clamp01(p.weight), 0));
  const inHeadline = Math.min(3, Math.max(0, Math.floor(input.entities.inHeadline)));
  const shared = Math.min(3, Math.max(0, Math.floor(input.entities.shared)));
  const entities = Math.min(P.entitiesMax, inHeadline * P.perHeadlineEntity + shared * P.perSharedEntity);
  const boost = Number.isFinite(input.boost) ? Math.max(-100, Math.min(100, input.boost)) : 0;
  const components: ScoreComponent[] = [
    { name: 'source_weight', label: 'Source weight', points: Math.round(P.sourceWeight * weight), detail: `source trust weight ${weight.toFixed(2)} × ${P.sourceWeight}` },
    { name: 'freshness', label: 'Freshness', points: Math.round(P.freshness * fresh), detail: freshnessDetail(input.publishedAt, input.now, fresh) },
    { name: 'coverage', label: 'Coverage breadth', points: Math.round(coverage), detail: coverageDetail(others, coverage) },
    { name: 'rules', label: 'Rule boosts', points: Math.round(boost), detail: rulesDetail(boost, input.boostedBy ?? []) },
    { name: 'entities', label: 'Entity prominence', points: Math.round(entities), detail: entitiesDetail(inHeadline, shared) },
  ];
  for (const c of components) c.detail = capDetail(c.detail);
  const total = components.reduce((sum, c) => sum + c.points, 0);
  return { score: Math.max(0, Math.min(100, total)), components };
}

/** ScoreComponent.detail holds 300 characters: a longer one would drop the whole breakdown when read. */
const DETAIL_MAX = 300;
const NAME_MAX = 40;

function capDetail(detail: string): string {
  return detail.length <= DETAIL_MAX ? detail : `${detail.slice(0, DETAIL_MAX - 1)}…`;
}

function shortName(name: string): string {
  return name.length <= NAME_MAX ? name : `${name.slice(0, NAME_MAX - 1)}…`;
}

function clamp01(n: number): number {
  return Number.isFinite(n) ? Math.max(0, Math.min(1, n)) : 0;
}

function distinctPublishers(list: { name: string; weight: number }[]): { name: string; weight: number }[] {
  const byName = new Map<string, { name: string; weight: number }>();
  for (const p of list) {
    const key = p.name.toLowerCase();
    const seen = byName.get(key);
    if (!seen || p.weight > seen.weight) byName.set(key, p);
  }
  return [...byName.values()];
}

function freshnessDetail(publishedAt: string | null, now: number, fresh: number): string {
  const published = publishedAt ? Date.parse(publishedAt) : Number.NaN;
  if (Number.isNaN(published)) return 'no publication date: counted half fresh';
  const hours = Math.max(0, (now - published) / HOUR);
  const age = hours < 1 ? 'under an hour old' : hours < 1.5 ? 'an hour old' : hours < 48 ? `${Math.round(hours)} hours old` : `${Math.round(hours / 24)} days old`;
  return hours < FRESH_HOURS ? `${age}: full freshness` : `${age}: ${Math.round(fresh * 100)}% fresh (halves every ${HALF_LIFE_HOURS} hours after the first ${FRESH_HOURS})`;
}

function coverageDetail(others: { name: string; weight: number }[], points: number): string {
  if (!others.length) return 'no other publisher covers this story yet';
  const names = others.slice(0, 5).map((p) => `${shortName(p.name)} ${clamp01(p.weight).toFixed(1)}`).join(', ');
  const more = others.length > 5 ? ` and ${others.length - 5} more` : '';
  const capped = points >= SCORE_POINTS.coverageMax ? ` (at most ${SCORE_POINTS.coverageMax})` : '';
  return `${others.length} other ${others.length === 1 ? 'publisher' : 'publishers'}: ${names}${more}${capped}`;
}

function rulesDetail(boost: number, rules: string[]): string {
  if (!boost) return rules.length ? `rules ${rules.slice(0, 5).map(shortName).join(', ')} add nothing` : 'no rule boosts this draft';
  const by = rules.length ? ` from ${rules.slice(0, 5).map(shortName).join(', ')}${rules.length > 5 ? ` and ${rules.length - 5} more` : ''}` : '';
  return `${boost > 0 ? '+' : ''}${Math.round(boost)}${by}`;
}

function entitiesDetail(inHeadline: number, shared: number): string {
  if (!inHeadline && !shared) return 'no named organisation, person, place or product in the headline';
  const parts = [`${inHeadline} named in the headline`];
  if (shared) parts.push(`${shared} also named by other publishers`);
  return parts.join(', ');
}
