import { decodePageShingles, PAGE_SHINGLE_WORDS, shingleHash } from '../article/shingles.ts';
import type { DraftSignal } from '../drafts/schema.ts';
import { describeLength, joinTokens, toTokens, type Token } from './compareText.ts';
import { copiedShare, findCopiedLetters, findCopiedTokens, letterStream, MAX_COPIED_SHARE, MIN_SHARE_WORDS, shingleIndex, type LetterStream } from './copyGuard.ts';

/** A draft of the same story (merged into the one being published, or another member of its story): its excerpt is a source too. */
export interface StoryDraft {
  id: string;
  excerpt: string | null;
  /** That source's own title: its related-coverage headline may be exactly this. */
  title: string | null;
  sourceName: string;
  /** In the draft's story but not merged into it (left pending, claimed by another editor, decided). */
  storyMember?: boolean;
}

/** One published text as the copy guard checks it. `path` is the form field, `label` what the desk calls it. */
interface PublishedText {
  path: string;
  label: string;
  tokens: Token[];
  /** Tokens of the title this text may repeat (the headline: the source's own title). */
  title?: Token[];
}

export interface CopyFinding {
  /** The desk's message, naming the field(s) as labelled and the copied text. */
  message: string;
  /** Per form field, for the 422 body. */
  fields: Record<string, string>;
}

const same = (a: Token[], b: Token[]) => a.length === b.length && a.every((t, i) => t.t === b[i]!.t);
const inside = (run: Token[], title: Token[] | undefined) => !!title && ` ${title.map((t) => t.t).join(' ')} `.includes(` ${run.map((t) => t.t).join(' ')} `);

/**
 * Every text a signal publishes, in the order it is published: the headline (left out when it is exactly the
 * source's own title), category and tags (one list in the JSON Feed), editorial fields, winners, losers, effects, related coverage headlines
 * (each left out when it is exactly that source's own title).
 */
function publishedTexts(d: DraftSignal, story: StoryDraft[]): PublishedText[] {
  const out: PublishedText[] = [];
  const add = (path: string, label: string, text: string | null, title?: string | null) => {
    const tokens = toTokens(text ?? '');
    const titleTokens = title ? toTokens(title) : undefined;
    if (tokens.length === 0 || (titleTokens && same(tokens, titleTokens))) return;
    out.push({ path, label, tokens, ...(titleTokens ? { title: titleTokens } : {}) });
  };
  add('headline', 'Headline', d.headline, d.title);
  add('category', 'Category', d.category);
  add('tags', 'Tags', d.tags.join('\n'));
  add('summary', 'Summary', d.summary);
  add('whyNow', 'Why now', d.whyNow);
  add('whyImportant', "Why it's important", d.whyImportant);
  add('whatChanges', 'What changes', d.whatChanges);
  add('winners', 'Winners', d.winners.join('\n'));
  add('losers', 'Losers', d.losers.join('\n'));
  add('secondOrderEffects.direct', 'Second-order effects: direct', d.secondOrderEffects.direct);
  add('secondOrderEffects.second', 'Second-order effects: second order', d.secondOrderEffects.second);
  add('secondOrderEffects.third', 'Second-order effects: third order', d.secondOrderEffects.third);
  d.related.forEach((r, i) => add(`related.${i}.headline`, `Related coverage ${i + 1} (${r.sourceName}) headline`, r.headline, story.find((s) => s.id === r.draftId)?.title));
  return out;
}

const ADVICE = 'say it in your own words and link to the source';

/**
 * Whether publishing this draft would republish source text; undefined when it would not. Sources are the
 * draft's own excerpt and the excerpts of every draft merged into it. Three rules, all on normalised text
 * (compareText.ts): (1) no published field carries a run of COPY_RUN_WORDS (12) words of a source (a CJK
 * character counts half a word: 24 characters), unless the run is part of the source's own title standing
 * as the headline; (2) no such run across fields either (the published texts read in order, as one);
 * (3) all published texts together reproduce less than MAX_COPIED_SHARE (40%) of a source's excerpt,
 * counted with 5-token shingles, once that share is MIN_SHARE_WORDS (12) words or more; (4) no run of
 * 12 words either when its words are split or joined (compared letter by letter, separators ignored).
 */
export function findCopiedText(d: DraftSignal, story: StoryDraft[]): CopyFinding | undefined {
  const sources = [
    { what: 'the source', tokens: toTokens(d.excerpt ?? '') },
    ...story.map((s) => ({ what: `the excerpt of ${s.storyMember ? 'story member' : 'merged draft'} ${s.id} (${s.sourceName})`, tokens: toTokens(s.excerpt ?? '') })),
  ].filter((s) => s.tokens.length > 0);
  if (sources.length === 0) return undefined;
  const texts = publishedTexts(d, story);

  for (const text of texts) {
    for (const source of sources) {
      const run = findCopiedTokens(text.tokens, source.tokens);
      if (!run || inside(run, text.title)) continue;
      const message = `copies ${describeLength(run)} from ${source.what} ("${joinTokens(run)}"): ${ADVICE}`;
      return { message: `cannot approve: ${text.label} ${message}`, fields: { [text.path]: message } };
    }
  }

  // The published texts as one sequence, remembering which text each token came from.
  const all = texts.flatMap((t) => t.tokens);
  const owner = texts.flatMap((t) => t.tokens.map(() => t));
  const offsets = texts.map((_, i) => texts.slice(0, i).reduce((n, t) => n + t.tokens.length, 0));
  const named = (positions: Iterable<number>) => [...new Set([...positions].map((i) => owner[i]!))];
  const index = shingleIndex(all);
  for (const source of sources) {
    const run = findCopiedTokens(all, source.tokens);
    if (run) {
      const start = all.indexOf(run[0]!); // run holds the very token objects of `all`
      const spanned = named(run.map((_, k) => start + k));
      const message = `with ${spanned.map((t) => t.label).join(', ')}, copies ${describeLength(run)} from ${source.what}, split across fields ("${joinTokens(run)}"): ${ADVICE}`;
      return { message: `cannot approve: ${message}`, fields: Object.fromEntries(spanned.map((t) => [t.path, message])) };
    }
    const { share, words, ownPositions } = copiedShare(all, source.tokens, index);
    if (share >= MAX_COPIED_SHARE && words >= MIN_SHARE_WORDS) {
      const involved = named(ownPositions);
      const pieces = involved.map((t) => joinTokens(t.tokens.filter((_, k) => ownPositions.has(offsets[texts.indexOf(t)]! + k))));
      const message = `together, ${involved.map((t) => t.label).join(', ')} reproduce ${Math.round(share * 100)}% of ${source.what} (${Math.round(words)} words; at most ${MAX_COPIED_SHARE * 100}% may be quoted) in pieces: ${pieces.map((p) => `"${p}"`).join(', ')}: ${ADVICE}`;
      return { message: `cannot approve: ${message}`, fields: Object.fromEntries(involved.map((t) => [t.path, message])) };
    }
  }

  // (4) The same runs, letter by letter: words split ("pro-duction", "p.r.o.d", a hair space) or run together.
  const stream = publishedLetters(texts);
  for (const source of sources) {
    const found = findCopiedLetters(stream.all, source.tokens);
    if (!found) continue;
    const spanned = texts.filter((_, i) => stream.offsets[i]! < found.end && stream.offsets[i + 1]! > found.start);
    const message = `${spanned.map((t) => t.label).join(', ')} ${spanned.length > 1 ? 'copy' : 'copies'} ${describeLength(found.tokens)} from ${source.what}, with the words split or joined ("${joinTokens(found.tokens)}"): ${ADVICE}`;
    return { message: `cannot approve: ${message}`, fields: Object.fromEntries(spanned.map((t) => [t.path, message])) };
  }
  return undefined;
}

/** The published texts as one letter stream (copyGuard.ts), each text's own title, where it stands, masked out. */
function publishedLetters(texts: PublishedText[]): { all: LetterStream; offsets: number[] } {
  const all: LetterStream = { letters: '', starts: new Set(), ends: new Set() };
  const offsets: number[] = [];
  for (const t of texts) {
    const s = letterStream(t.tokens);
    let { letters } = s;
    const title = t.title ? letterStream(t.title).letters : '';
    const at = title ? letters.indexOf(title) : -1;
    if (at >= 0) letters = letters.slice(0, at) + '\u0000'.repeat(title.length) + letters.slice(at + title.length);
    const base = all.letters.length;
    offsets.push(base);
    all.letters += letters;
    for (const x of s.starts) all.starts.add(base + x);
    for (const x of s.ends) all.ends.add(base + x);
  }
  offsets.push(all.letters.length);
  return { all, offsets };
}

/**
 * A run of copied article text is refused from this many words on (a CJK character weighing half a word): 3
 * consecutive 8-word shingles. Lower than the excerpt's 12 (COPY_RUN_WORDS) because the article, not the
 * 280-character excerpt, is what an editor reads and paraphrases from, and a 10-word run is already a copied
 * clause; not 9 (2 shingles), because stock phrases of 9 words ("the company said in a statement on Tuesday
 * that") recur across articles, and one false refusal of original prose costs the desk more than a 9-word quote.
 */
export const ARTICLE_RUN_WORDS = 10;
/** A field whose shingles cover this share of its words from the article, in pieces… */
export const MAX_ARTICLE_SHARE = 0.5;
/** …is refused from this many covered words on (two separate 8-word pieces), so one short quotation is not. */
export const MIN_ARTICLE_SHARE_WORDS = 16;

/** The article's stored shingles (article/shingles.ts) and where it is, as the desk names it. */
export interface ArticleShingles {
  encoded: string;
  site: string;
}

/** The site a draft's article is at, as the desk names it: the page's own site name, else its host. */
export function articleSite(d: DraftSignal): string {
  const name = d.enrichment?.siteName?.value;
  if (name) return name;
  try {
    return new URL(d.enrichment?.finalUrl ?? d.link ?? '').hostname;
  } catch {
    return 'the source';
  }
}

/**
 * Whether a published field copies the article page itself (its main text, kept only as shingle hashes): a
 * run of consecutive matching 8-word shingles covering ARTICLE_RUN_WORDS (10) words or more (the headline's run
 * inside the source's own title excepted), or matching shingles covering MAX_ARTICLE_SHARE (half) of the field
 * and MIN_ARTICLE_SHARE_WORDS (16) words. Quotation marks change nothing: a quoted sentence is still a copy.
 * Words split or joined inside the field are not caught here (the hashes hold no letters to compare).
 */
export function findArticleCopy(d: DraftSignal, story: StoryDraft[], article: ArticleShingles | undefined): CopyFinding | undefined {
  const page = article && decodePageShingles(article.encoded);
  if (!page || page.size === 0) return undefined;
  for (const text of publishedTexts(d, story)) {
    const { tokens } = text;
    const covered = new Array<boolean>(tokens.length).fill(false);
    let best: { start: number; end: number; weight: number } | undefined;
    let runStart = -1;
    for (let i = 0; i + PAGE_SHINGLE_WORDS <= tokens.length; i++) {
      if (!page.has(shingleHash(tokens, i))) {
        runStart = -1;
        continue;
      }
      if (runStart < 0) runStart = i;
      for (let k = i; k < i + PAGE_SHINGLE_WORDS; k++) covered[k] = true;
      const run = tokens.slice(runStart, i + PAGE_SHINGLE_WORDS);
      const w = run.reduce((n, t) => n + t.w, 0);
      if (!inside(run, text.title) && (!best || w > best.weight)) best = { start: runStart, end: i + PAGE_SHINGLE_WORDS, weight: w };
    }
    if (best && best.weight >= ARTICLE_RUN_WORDS - 1e-9) {
      const run = tokens.slice(best.start, best.end);
      const message = `copies ${Math.round(best.weight)} words of the article at ${article.site} ("${joinTokens(run)}"): ${ADVICE}`;
      return { message: `cannot approve: ${text.label} ${message}`, fields: { [text.path]: message } };
    }
    const total = tokens.reduce((n, t) => n + t.w, 0);
    const copied = tokens.reduce((n, t, k) => n + (covered[k] ? t.w : 0), 0);
    if (copied >= MIN_ARTICLE_SHARE_WORDS && copied / total >= MAX_ARTICLE_SHARE) {
      const pieces = joinTokens(tokens.filter((_, k) => covered[k]));
      const message = `copies ${Math.round(copied)} words of the article at ${article.site} in pieces (${Math.round((copied / total) * 100)}% of the field; "${pieces}"): ${ADVICE}`;
      return { message: `cannot approve: ${text.label} ${message}`, fields: { [text.path]: message } };
    }
  }
  return undefined;
}
