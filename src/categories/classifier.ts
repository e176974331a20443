import stopwords from 'stopwords-iso/stopwords-iso.json' with { type: 'json' };
import createClassifier from 'wink-naive-bayes-text-classifier';
import type { DraftSignal } from '../drafts/schema.ts';
import type { Keys } from '../queue/keys.ts';
import type { RedisClient } from '../redisClient.ts';
import { toWords } from './words.ts';

/** Approved signals the classifier needs before it suggests anything, and the categories among them (naive Bayes needs two). */
export const MIN_SAMPLES = 8;
export const MIN_CATEGORIES = 2;
/** Approvals kept to train on: the most recent ones, so the model follows the desk as its habits change. */
export const SAMPLES_MAX = 5_000;
const MODEL_VERSION = 1;

export interface Sample {
  category: string;
  text: string;
  draftId: string;
  at: string;
}

/** What the classifier says about one text: its best category, how sure, and the words that weighed most for it. */
export interface ModelGuess {
  category: string;
  /** 0–1: the model's probability of this category against all the others. */
  probability: number;
  /** Approved signals of this category it learnt from. */
  like: number;
  words: string[];
}

/** A trained category model (pure once built). */
export interface CategoryModel {
  /** Approvals it was trained on. */
  samples: number;
  categories: number;
  classify(text: string): ModelGuess | null;
}

const STOP = new Set<string>(['en', 'de', 'fr', 'es', 'it', 'pt', 'nl', 'ru', 'zh', 'ja'].flatMap((l) => (stopwords as Record<string, string[]>)[l] ?? []));

/** The classifier's words: the matching words (any script) without stopwords or bare numbers. */
export function modelWords(text: string): string[] {
  return toWords(text).filter((w) => !STOP.has(w) && !/^[\p{N}.,]+$/u.test(w) && w.length < 40);
}

/** The text of a draft the classifier learns from and judges: headline, excerpt, the page's keywords, its entities. */
export function draftCategoryText(d: { headline: string; excerpt: string | null; keywords: string[]; entities: string[] }): string {
  return [d.headline, d.excerpt ?? '', d.keywords.join(' '), d.entities.join(' ')].join('\n');
}

export function categoryTextOf(draft: DraftSignal): string {
  return draftCategoryText({ headline: draft.headline, excerpt: draft.excerpt, keywords: draft.enrichment?.keywords?.value ?? [], entities: draft.annotation?.entities.map((e) => e.name) ?? [] });
}

/** Trains a model on approvals (wink-naive-bayes-text-classifier); null until there are enough of them. Pure. */
export function trainModel(samples: Sample[]): CategoryModel | null {
  const nb = createClassifier();
  nb.definePrepTasks([modelWords]);
  nb.defineConfig({ considerOnlyPresence: true, smoothingFactor: 0.5 });
  const perCategory = new Map<string, number>();
  for (const s of samples) {
    if (modelWords(s.text).length === 0) continue;
    nb.learn(s.text, s.category);
    perCategory.set(s.category, (perCategory.get(s.category) ?? 0) + 1);
  }
  return fromLearnt(nb, samples.length, perCategory);
}

/** A model from its stored JSON (wink's export); null when it does not read. */
export function modelFromJson(json: string): CategoryModel | null {
  try {
    const stored = JSON.parse(json) as { version?: number; samples?: number; perCategory?: Record<string, number>; wink?: string };
    if (stored.version !== MODEL_VERSION || typeof stored.wink !== 'string' || typeof stored.samples !== 'number') return null;
    const nb = createClassifier();
    nb.importJSON(stored.wink);
    nb.definePrepTasks([modelWords]);
    return fromLearnt(nb, stored.samples, new Map(Object.entries(stored.perCategory ?? {})));
  } catch {
    return null;
  }
}

function modelToJson(model: LearntModel): string {
  return JSON.stringify({ version: MODEL_VERSION, samples: model.samples, perCategory: Object.fromEntries(model.perCategory), wink: model.nb.exportJSON() });
}

interface LearntModel extends CategoryModel {
  nb: ReturnType<typeof createClassifier>;
  perCategory: Map<string, number>;
}

function fromLearnt(nb: ReturnType<typeof createClassifier>, samples: number, perCategory: Map<string, number>): LearntModel | null {
  const learnt = [...perCategory.values()].reduce((a, b) => a + b, 0);
  if (learnt < MIN_SAMPLES || perCategory.size < MIN_CATEGORIES) return null;
  try {
    nb.consolidate();
  } catch {
    // wink refuses a vocabulary under 10 words: too little to learn from yet.
    return null;
  }
  const [, , count] = JSON.parse(nb.exportJSON()) as [unknown, unknown, Record<string, Record<string, number>>];
  return {
    nb,
    perCategory,
    samples,
    categories: perCategory.size,
    classify(text) {
      const odds = nb.computeOdds(text);
      const [label, logOdds] = odds[0] ?? ['unknown', 0];
      if (logOdds === 0 || !perCategory.has(label)) return null;
      const probability = 1 / (1 + 2 ** -logOdds);
      return { category: label, probability, like: perCategory.get(label) ?? 0, words: tellingWords(modelWords(text), label, count) };
    },
  };
}

/** The input's words that the category's approvals used most, relative to the other categories: the evidence shown in the why. */
function tellingWords(words: string[], label: string, count: Record<string, Record<string, number>>): string[] {
  const mine = count[label] ?? {};
  const scored = [...new Set(words)].flatMap((w) => {
    const here = Object.hasOwn(mine, w) ? mine[w]! : 0;
    if (here === 0) return [];
    let all = 0;
    for (const l of Object.keys(count)) all += Object.hasOwn(count[l]!, w) ? count[l]![w]! : 0;
    return [{ w, share: here / all, here }];
  });
  return scored.sort((a, b) => b.share - a.share || b.here - a.here).slice(0, 4).map((s) => s.w);
}

const samplesKey = (keys: Keys) => `${keys.classifier}:samples`;
const countKey = (keys: Keys) => `${keys.classifier}:count`;

/**
 * Keeps an approved signal as a training sample for the category classifier (its category and text), for the
 * annotate stage to retrain on. Called by the desk's approve path; one round trip. A draft without a category
 * teaches nothing and is skipped.
 */
export async function recordApproval(redis: RedisClient, keys: Keys, draft: DraftSignal, now: number = Date.now()): Promise<void> {
  const category = draft.category?.trim();
  if (!category) return;
  const sample: Sample = { category: category.slice(0, 100), text: categoryTextOf(draft).slice(0, 4_000), draftId: draft.id, at: new Date(now).toISOString() };
  await redis.multi().rpush(samplesKey(keys), JSON.stringify(sample)).ltrim(samplesKey(keys), -SAMPLES_MAX, -1).incr(countKey(keys)).exec();
}

/** Approvals since the last training that make a model stale: 1 while it is small, then one in twenty. */
export function isStale(trainedOn: number, approvals: number): boolean {
  return approvals - trainedOn >= Math.max(1, Math.floor(trainedOn / 20));
}

const cache = new Map<string, { approvals: number; model: CategoryModel | null }>();

/**
 * The category model to suggest with: kept in this process while fresh, else the stored one from Redis
 * (`keys.classifier`), else retrained on the stored approvals and written back for the other workers. Null
 * while there are too few approvals. Retraining goes as approvals accumulate (isStale).
 */
export async function loadCategoryModel(redis: RedisClient, keys: Keys): Promise<CategoryModel | null> {
  const approvals = Number((await redis.get(countKey(keys))) ?? 0);
  if (approvals === 0) return null;
  const cached = cache.get(keys.classifier);
  if (cached && !isStale(cached.approvals, approvals)) return cached.model;
  const stored = await redis.get(keys.classifier);
  const storedModel = stored ? modelFromJson(stored) : null;
  if (storedModel && !isStale(storedModel.samples, approvals)) {
    cache.set(keys.classifier, { approvals: storedModel.samples, model: storedModel });
    return storedModel;
  }
  const raw = await redis.lrange(samplesKey(keys), 0, -1);
  const samples = raw.flatMap((json) => {
    try {
      const s = JSON.parse(json) as Sample;
      return typeof s.category === 'string' && typeof s.text === 'string' ? [s] : [];
    } catch {
      return [];
    }
  });
  const model = trainModel(samples) as LearntModel | null;
  if (model) {
    // Counted as trained on every approval so far (older ones beyond SAMPLES_MAX were let go on purpose).
    model.samples = approvals;
    await redis.set(keys.classifier, modelToJson(model));
  }
  cache.set(keys.classifier, { approvals, model });
  return model;
}
