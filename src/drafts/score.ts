import type { ScoreComponent } from './schema.ts';

const HOUR = 3_600_000;

/**
 * The initial score (0–100) an editor sorts by: the source's trust weight, discounted by the item's age.
 * Fresh items (under 6 hours) keep their full weight; after that freshness halves every 24 hours, down to
 * a floor of 40% of the weight so that an old item from a trusted source still outranks noise.
 * Items without a date count as half fresh.
 */
export function initialScore(weight: number, publishedAt: string | null, now: number): number {
  const published = publishedAt ? Date.parse(publishedAt) : Number.NaN;
  const freshness = Number.isNaN(published) ? 0.5 : 0.5 ** (Math.max(0, (now - published) / HOUR - 6) / 24);
  return Math.max(0, Math.min(100, Math.round(100 * weight * (0.4 + 0.6 * freshness))));
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
  /** Points from matched rules (annotation.boost). */
  boost: number;
  /** Entities named in the headline (and how many also appear in other members of the story). */
  entities: { inHeadline: number; shared: number };
}

/** Placeholder of the contract commit: the initial score as one component. The score helper replaces it with named components. Pure. */
export function explainScore(input: ScoreInput): { score: number; components: ScoreComponent[] } {
  const score = initialScore(input.weight, input.publishedAt, input.now);
  return { score, components: [{ name: 'source_weight', label: 'Source weight', points: score, detail: `weight ${input.weight}` }] };
}
