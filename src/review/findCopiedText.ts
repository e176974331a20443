import type { DraftSignal } from '../drafts/schema.ts';
import { describeLength, joinTokens, toTokens, type Token } from './compareText.ts';
import { copiedShare, findCopiedLetters, findCopiedTokens, letterStream, MAX_COPIED_SHARE, MIN_SHARE_WORDS, shingleIndex, type LetterStream } from './copyGuard.ts';

/** A draft of the same story (merged into the one being published): its excerpt is a source too. */
export interface StoryDraft {
  id: string;
  excerpt: string | null;
  /** That source's own title: its related-coverage headline may be exactly this. */
  title: string | null;
  sourceName: string;
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
    ...story.map((s) => ({ what: `the excerpt of merged draft ${s.id} (${s.sourceName})`, tokens: toTokens(s.excerpt ?? '') })),
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
