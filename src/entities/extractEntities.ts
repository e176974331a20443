import nlp from 'compromise';
import { Entity, entityKey, type EntityKind } from './entity.ts';
import { INVISIBLE } from './lookAlikes.ts';
import { KNOWN_KINDS, LEADING_ARTICLES, NOT_NAMES, ORG_SUFFIXES } from './lexicon.ts';

// The entity's shape and key live in entity.ts (no compromise: the desk and the CLI read drafts without loading the NLP lexicon).
export { ENTITY_KINDS, ENTITY_ORIGINS, Entity, entityKey, type EntityKind } from './entity.ts';

/** Characters of each field read: entity extraction costs about 1.5 ms per 300 characters (compromise). */
const FIELD_MAX = 600;
const ENTITIES_MAX = 30;

export interface EntityInput {
  headline: string;
  excerpt?: string | null | undefined;
  /** The page's description and keywords (enrichment), joined. */
  page?: string | null | undefined;
}

/** Words in one name: longer runs of capitalised words are a title-case phrase, not a name. */
const NAME_WORDS_MAX = 6;
/** How much one mention weighs by where it is: the headline says what the story is about. */
const FIELD_WEIGHT = { headline: 3, excerpt: 1, page: 1 } as const;
/** Fraction of capitalised words from which a text is title case ("Nvidia Unveils New Chips"): case then says little. */
const TITLE_CASE_SHARE = 0.8;

interface Term {
  text: string;
  pre: string;
  post: string;
  tags: Set<string>;
}

interface Found extends Entity {
  weight: number;
}

/**
 * Organisations, people, places and products named in a draft's headline, excerpt and page metadata, with
 * compromise's lexicon (shipped in the npm package; nothing is downloaded) and shape rules that work in any
 * cased script (Latin, Cyrillic, Greek…): runs of capitalised words not broken by punctuation, verbs or
 * prepositions. The kind: a known name (lexicon.ts), an organisation suffix ("AG", "Foundation"), compromise's
 * person/organisation/place tags, a product's shape (a digit or an inner capital: "iPhone 17", "GPT-5"), an
 * acronym as an organisation; otherwise a product. Names in brackets 《》「」 count in scripts without case.
 * Keyed case-insensitively ("NVIDIA" and "Nvidia" are one entity, named as first written); ordered by weight,
 * where a mention in the headline counts three times. Pure; each field read up to FIELD_MAX characters.
 */
export function extractEntities(input: EntityInput): Entity[] {
  const found = new Map<string, Found>();
  const fields: [Entity['from'], string | null | undefined][] = [
    ['headline', input.headline],
    ['excerpt', input.excerpt],
    ['page', input.page],
  ];
  for (const [from, raw] of fields) {
    // A zero-width space separates words; the other format characters (soft hyphen, joiners) sit inside one: "Nvi\u00addia".
    const text = raw?.normalize('NFKC').replace(/[\p{Cc}\u200b]/gu, ' ').replace(INVISIBLE, '').slice(0, FIELD_MAX).trim();
    if (!text) continue;
    for (const { name, kind } of [...namesIn(text), ...bracketed(text)]) add(found, name, kind, from);
  }
  return [...found.values()]
    .sort((a, b) => b.weight - a.weight || Number(b.from === 'headline') - Number(a.from === 'headline') || b.count - a.count || a.name.localeCompare(b.name))
    .slice(0, ENTITIES_MAX)
    .map(({ weight: _weight, ...e }) => e);
}

function add(found: Map<string, Found>, name: string, kind: EntityKind, from: Entity['from']): void {
  const key = entityKey(name);
  const had = found.get(key);
  if (had) {
    had.count += 1;
    had.weight += FIELD_WEIGHT[from];
  } else found.set(key, { name, kind, from, count: 1, weight: FIELD_WEIGHT[from] });
}

/** Names from runs of capitalised terms (compromise's tokens and tags). */
function namesIn(text: string): { name: string; kind: EntityKind }[] {
  const sentences = nlp(text).json() as { terms: { text: string; pre: string; post: string; tags: string[] }[] }[];
  // compromise's tags are English: on another script its person/place/organisation guesses are noise.
  const readTags = (word: string, tags: string[]) => (/\p{Script=Latin}/u.test(word) || !/\p{L}/u.test(word) ? tags : tags.filter((t) => !KIND_TAGS.includes(t) && t !== 'ProperNoun'));
  const out: { name: string; kind: EntityKind }[] = [];
  for (const sentence of sentences) {
    const terms: Term[] = sentence.terms.map((t) => ({ text: t.text, pre: t.pre, post: t.post, tags: new Set(readTags(t.text, t.tags)) }));
    // Title case is an English headline habit: judged on the Latin-script words.
    // Small words ("to", "of", "for") stay lower case in many title-case styles: only longer ones are counted.
    const words = terms.filter((t) => /\p{Script=Latin}/u.test(t.text) && t.text.length >= 4);
    const titleCase = words.length >= 4 && words.filter((t) => /^\p{Lu}/u.test(t.text)).length / words.length >= TITLE_CASE_SHARE;
    let run: Term[] = [];
    const flush = (atStart: boolean) => {
      // A run longer than a name is a phrase in capitals: only its words that are names on their own count.
      const names = run.length > NAME_WORDS_MAX ? run.map((t) => toName([t], false, true)) : [toName(run, atStart, titleCase)];
      for (const name of names) if (name) out.push(name);
      run = [];
    };
    let runStart = true;
    terms.forEach((t, i) => {
      const breaksBefore = i > 0 && /[^\s&'’-]/u.test(terms[i - 1]!.post);
      if (breaksBefore && run.length) flush(runStart);
      if (isNameTerm(t, run.length > 0, titleCase)) {
        // After a full stop or a colon a word is capitalised for that reason; after a comma or a quote it is not.
        if (run.length === 0) runStart = i === 0 || /[.!?:…]/u.test(terms[i - 1]!.post);
        run.push(t);
      } else if (run.length) flush(runStart);
    });
    if (run.length) flush(runStart);
  }
  return out;
}

const BREAK_TAGS = ['Verb', 'Preposition', 'Conjunction', 'Pronoun', 'Adverb', 'Date', 'Month', 'WeekDay', 'Value'];
const KIND_TAGS = ['Person', 'Organization', 'Place'];
const DATE_TAGS = ['Date', 'Month', 'WeekDay'];

function isNameTerm(t: Term, inRun: boolean, titleCase: boolean): boolean {
  const word = t.text;
  if (!word || word.length > 60) return false;
  // A number continues a name ("iPhone 17", "Xeon 6"), never starts one.
  if (/^\p{N}+$/u.test(word)) return inRun;
  if (!/^[\p{Lu}\p{N}]/u.test(word) && !/^\p{Ll}+\p{Lu}/u.test(word)) return false;
  if (DATE_TAGS.some((d) => t.tags.has(d)) || NOT_NAMES.has(entityKey(word))) return false;
  const known = KIND_TAGS.some((k) => t.tags.has(k)) || KNOWN_KINDS.has(entityKey(word));
  if (!known && BREAK_TAGS.some((b) => t.tags.has(b)) && !/\p{Lu}.*\p{Lu}|\p{N}/u.test(word.slice(1))) return false;
  // In a title-case text every word is capitalised: only a word compromise knows as a name, or shaped like one, counts.
  if (titleCase && !known && !t.tags.has('ProperNoun') && !/\p{Lu}.*\p{Lu}|\p{N}/u.test(word.slice(1)) && !/^\p{Lu}{2,}$/u.test(word)) return false;
  return true;
}

function toName(run: Term[], atStart: boolean, titleCase: boolean): { name: string; kind: EntityKind } | undefined {
  let terms = run;
  while (terms.length && LEADING_ARTICLES.has(terms[0]!.text.toLowerCase())) terms = terms.slice(1);
  if (terms.length === 0 || terms.length > NAME_WORDS_MAX) return undefined;
  // "GPT-5" comes as two terms joined by a hyphen: keep it as written.
  const name = cleanName(terms.map((t, i) => (i < terms.length - 1 ? t.text + (t.post.trim() === '-' ? '-' : ' ') : t.text)).join(''));
  if (!name) return undefined;
  const kind = kindOf(name, terms);
  // A lone capitalised word opening a sentence is capitalised for that reason ("Breaking", "New"), unless it is known as a name.
  const evidence = KNOWN_KINDS.has(entityKey(name)) || terms.some((t) => KIND_TAGS.some((k) => t.tags.has(k))) || isProductShape(name) || /^\p{Lu}{2,}$/u.test(name);
  if (terms.length === 1 && (atStart || titleCase) && !evidence && !terms[0]!.tags.has('ProperNoun')) return undefined;
  if (terms.length === 1 && atStart && !evidence && !/^\p{Script=Latin}/u.test(name)) return undefined;
  return { name, kind };
}

function kindOf(name: string, terms: Term[]): EntityKind {
  const key = entityKey(name);
  const known = KNOWN_KINDS.get(key);
  if (known) return known;
  const words = key.split(' ');
  if (words.length > 1 && ORG_SUFFIXES.has(words.at(-1)!.replace(/\.$/u, ''))) return 'organization';
  if (terms.every((t) => t.tags.has('Person'))) return 'person';
  if (terms.some((t) => t.tags.has('Organization'))) return 'organization';
  if (terms.some((t) => t.tags.has('Place'))) return 'place';
  if (terms.some((t) => t.tags.has('Person'))) return 'person';
  if (isProductShape(name) || KNOWN_KINDS.get(words[0]!) === 'product') return 'product';
  if (/^\p{Lu}{2,6}$/u.test(name)) return 'organization';
  // Two or three capitalised words of a script compromise does not read ("Владимир Путин"): most often a person.
  if (words.length >= 2 && words.length <= 3 && !/\p{Script=Latin}/u.test(name)) return 'person';
  return 'product';
}

/** A digit or an inner capital: "iPhone 17", "GPT-5", "PostgreSQL", "OpenTofu". */
function isProductShape(name: string): boolean {
  const plain = name.replace(/\b(?:Mc|Mac)(?=\p{Lu})/gu, '');
  return /\p{N}/u.test(plain) || /\p{L}\p{Ll}+\p{Lu}|^\p{Ll}+\p{Lu}/u.test(plain);
}

/** Names quoted in the brackets that scripts without case use for titles and names: 《麒麟9000》, 「ChatGPT」. */
function bracketed(text: string): { name: string; kind: EntityKind }[] {
  const out: { name: string; kind: EntityKind }[] = [];
  for (const m of text.matchAll(/[《「『【]([^《》「」『』【】]{2,40})[》」』】]/gu)) {
    const name = cleanName(m[1]!);
    if (name) out.push({ name, kind: KNOWN_KINDS.get(entityKey(name)) ?? 'product' });
    if (out.length >= ENTITIES_MAX) break;
  }
  return out;
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
