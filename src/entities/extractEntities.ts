import nlp from 'compromise';
import { z } from 'zod';

export const ENTITY_KINDS = ['person', 'organization', 'place', 'product'] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

/** Where an entity was found: the headline weighs more than the excerpt or the page's own metadata. */
export const ENTITY_ORIGINS = ['headline', 'excerpt', 'page'] as const;

export const Entity = z.object({
  /** As written in the text (trimmed of punctuation), at most 120 characters. */
  name: z.string().min(1).max(120),
  kind: z.enum(ENTITY_KINDS),
  /** The first field it was found in (headline before excerpt before page). */
  from: z.enum(ENTITY_ORIGINS),
  /** How many times it occurs over all the fields read. */
  count: z.number().int().min(1),
});
export type Entity = z.infer<typeof Entity>;

/** Characters of each field read: entity extraction costs about 1.5 ms per 300 characters (compromise). */
const FIELD_MAX = 600;
const ENTITIES_MAX = 30;

export interface EntityInput {
  headline: string;
  excerpt?: string | null | undefined;
  /** The page's description and keywords (enrichment), joined. */
  page?: string | null | undefined;
}

/**
 * Organisations, people, places and products named in a draft's headline, excerpt and page metadata, with
 * compromise's lexicon (shipped in the npm package; nothing is downloaded). Pure. Products are proper nouns
 * compromise does not place in another kind ("Blackwell Ultra", "iPhone 17"). Keyed case-insensitively:
 * "NVIDIA" and "Nvidia" are one entity, named as first written.
 */
export function extractEntities(input: EntityInput): Entity[] {
  const found = new Map<string, Entity>();
  const fields: [Entity['from'], string | null | undefined][] = [
    ['headline', input.headline],
    ['excerpt', input.excerpt],
    ['page', input.page],
  ];
  for (const [from, raw] of fields) {
    const text = raw?.normalize('NFKC').slice(0, FIELD_MAX).trim();
    if (!text) continue;
    const doc = nlp(text);
    const typed = new Map<string, EntityKind>();
    for (const [kind, view] of [
      ['person', doc.people()],
      ['organization', doc.organizations()],
      ['place', doc.places()],
    ] as const) {
      for (const name of view.out('array') as string[]) {
        const clean = cleanName(name);
        if (clean) typed.set(entityKey(clean), kind);
      }
    }
    for (const name of doc.match('#ProperNoun+').out('array') as string[]) {
      const clean = cleanName(name);
      if (!clean) continue;
      const key = entityKey(clean);
      const kind = typed.get(key) ?? 'product';
      add(found, { name: clean, kind, from, count: 1 });
    }
    for (const [key, kind] of typed) {
      if (!found.has(key)) add(found, { name: key, kind, from, count: 1 });
    }
  }
  return [...found.values()].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)).slice(0, ENTITIES_MAX);
}

function add(found: Map<string, Entity>, e: Entity): void {
  const key = entityKey(e.name);
  const had = found.get(key);
  if (had) had.count += 1;
  else found.set(key, { ...e });
}

/** The key an entity is matched on (clustering, filters, rules): NFKC, lower case, inner spaces single. */
export function entityKey(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** Strips the punctuation compromise leaves on a match ("McConnell." → "McConnell"); refuses one-letter or overlong names. */
function cleanName(name: string): string | undefined {
  const clean = name
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '')
    .replace(/['’]s$/u, '')
    .replace(/\s+/gu, ' ')
    .trim();
  if (clean.length < 2 || clean.length > 120) return undefined;
  return clean;
}
