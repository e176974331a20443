import { describeLength, joinTokens, toTokens, type Token } from './compareText.ts';

/** A run of this many consecutive words (a CJK character weighing half a word) copied from a source is refused. */
export const COPY_RUN_WORDS = 12;
/** Shingle length, in tokens, for the share check. */
export const SHINGLE_TOKENS = 5;
/** Published text may reproduce less than this share of a source excerpt (by weight, through 5-token shingles)… */
export const MAX_COPIED_SHARE = 0.4;
/** …and the share check only refuses from this many copied words on, so a short quotation is never refused. */
export const MIN_SHARE_WORDS = 12;

const weight = (tokens: Token[]) => tokens.reduce((sum, t) => sum + t.w, 0);

/**
 * A suffix automaton of a sequence (a source's token keys, or its letters): every run of the sequence is a path
 * from state 0; `end` is where each state's first occurrence ends. Built in linear time and space.
 */
interface Automaton<K> {
  next: Map<K, number>[];
  link: number[];
  len: number[];
  end: number[];
}

function buildAutomaton<K>(symbols: Iterable<K>): Automaton<K> {
  const a: Automaton<K> = { next: [new Map()], link: [-1], len: [0], end: [-1] };
  let last = 0;
  let i = 0;
  for (const c of symbols) {
    const cur = a.next.push(new Map()) - 1;
    a.len[cur] = a.len[last]! + 1;
    a.end[cur] = i++;
    let p = last;
    while (p !== -1 && !a.next[p]!.has(c)) {
      a.next[p]!.set(c, cur);
      p = a.link[p]!;
    }
    if (p === -1) a.link[cur] = 0;
    else {
      const q = a.next[p]!.get(c)!;
      if (a.len[p]! + 1 === a.len[q]) a.link[cur] = q;
      else {
        const clone = a.next.push(new Map(a.next[q])) - 1;
        a.len[clone] = a.len[p]! + 1;
        a.link[clone] = a.link[q]!;
        a.end[clone] = a.end[q]!;
        while (p !== -1 && a.next[p]!.get(c) === q) {
          a.next[p]!.set(c, clone);
          p = a.link[p]!;
        }
        a.link[q] = clone;
        a.link[cur] = clone;
      }
    }
    last = cur;
  }
  return a;
}

const automata = new WeakMap<Token[], Automaton<string>>();

/**
 * The heaviest run of tokens of `own` that also occurs, token for token, in `source` (longest common
 * substring). Returns its [start, end) in `own`, or undefined when none. Linear in `own`: the source's suffix
 * automaton is built once per source and walked along `own`, so the longest fields against fifty merged
 * excerpts stay cheap (a table of n·m cells per field and source took seconds, and blocked the desk).
 */
export function longestCommonRun(own: Token[], source: Token[]): { start: number; end: number; weight: number } | undefined {
  let a = automata.get(source);
  if (!a) automata.set(source, (a = buildAutomaton(source.map((t) => t.t))));
  const prefix = [0];
  for (const t of own) prefix.push(prefix.at(-1)! + t.w);
  let best: { start: number; end: number; weight: number } | undefined;
  let state = 0;
  let len = 0;
  for (let i = 0; i < own.length; i++) {
    const t = own[i]!.t;
    while (state !== 0 && !a.next[state]!.has(t)) {
      state = a.link[state]!;
      len = a.len[state]!;
    }
    const to = a.next[state]!.get(t);
    if (to === undefined) {
      len = 0;
      continue;
    }
    state = to;
    len++;
    const w = prefix[i + 1]! - prefix[i + 1 - len]!;
    if (!best || w > best.weight) best = { start: i + 1 - len, end: i + 1, weight: w };
  }
  return best;
}

/** A copied run of tokens: at least `runWords` words' weight, or undefined. */
export function findCopiedTokens(own: Token[], source: Token[], runWords = COPY_RUN_WORDS): Token[] | undefined {
  if (weight(source) < runWords) return undefined;
  const run = longestCommonRun(own, source);
  return run && run.weight >= runWords - 1e-9 ? own.slice(run.start, run.end) : undefined;
}

/**
 * The longest run of `runWords` or more consecutive words of `text` that also occurs, word for word, in
 * `source`; undefined when there is none. Both are normalised first (compareText.ts: entities, NFKC,
 * format characters, case, punctuation; words compared by confusable skeleton), so re-punctuating, re-casing or disguising a
 * copied sentence does not hide it; CJK text counts two characters as a word. Used to refuse publishing
 * text lifted from the source's excerpt: Signal Desk links to sources, it never republishes them.
 */
export function findCopiedRun(text: string, source: string, runWords = COPY_RUN_WORDS): string | undefined {
  const run = findCopiedTokens(toTokens(text), toTokens(source), runWords);
  return run && joinTokens(run);
}

export interface CopiedShare {
  /** Share of the source's weight covered by shingles that the published text also has, 0–1. */
  share: number;
  /** The covered weight, in words. */
  words: number;
  /** Positions in `own` that take part in a shared shingle. */
  ownPositions: Set<number>;
}

/**
 * How much of `source` the published tokens reproduce, counted with shingles of SHINGLE_TOKENS tokens, one of
 * which may differ: every source token inside a shingle that also occurs in `own` is covered, except the one
 * that differs. Catches a copy cut into pieces too short to be a run (11 words here, 11 there), wherever the
 * pieces are put, and a copy with one word in five changed ("Wednesday" for "Tuesday", "6" for "six").
 */
export function copiedShare(own: Token[], source: Token[], index: ShingleIndex = shingleIndex(own)): CopiedShare {
  const covered = new Set<number>();
  const ownPositions = new Set<number>();
  const marked = new Set<number[]>();
  for (let j = 0; j + SHINGLE_TOKENS <= source.length; j++) {
    for (let gap = -1; gap < SHINGLE_TOKENS; gap++) {
      const at = index.get(shingleKey(source, j, gap));
      if (!at) continue;
      for (let k = 0; k < SHINGLE_TOKENS; k++) if (k !== gap) covered.add(j + k);
      // Each shared shingle marks its places in `own` once, however often the source repeats it.
      if (marked.has(at)) continue;
      marked.add(at);
      for (const i of at) for (let k = 0; k < SHINGLE_TOKENS; k++) if (k !== gap) ownPositions.add(i + k);
    }
  }
  const total = weight(source);
  const words = [...covered].reduce((sum, j) => sum + source[j]!.w, 0);
  return { share: total === 0 ? 0 : words / total, words, ownPositions };
}

/** Where each shingle of the published tokens starts, exact and with each place left open: built once, shared by every source. */
export type ShingleIndex = Map<string, number[]>;
const shingleKey = (tokens: Token[], i: number, gap = -1) => tokens.slice(i, i + SHINGLE_TOKENS).map((t, k) => (k === gap ? '\u0002' : t.t)).join('\u0001');
export function shingleIndex(own: Token[]): ShingleIndex {
  const index: ShingleIndex = new Map();
  for (let i = 0; i + SHINGLE_TOKENS <= own.length; i++) {
    for (let gap = -1; gap < SHINGLE_TOKENS; gap++) {
      const k = shingleKey(own, i, gap);
      const at = index.get(k);
      if (at) at.push(i);
      else index.set(k, [i]);
    }
  }
  return index;
}

/**
 * The published text as one string of letters: every token's comparison key, nothing between them, so
 * whatever an editor puts inside or between words (a hair space, a hyphen, dots, markdown, a line separator,
 * no space at all) does not change it. `starts` and `ends` are the offsets where a token begins and ends.
 */
export interface LetterStream {
  letters: string;
  starts: Set<number>;
  ends: Set<number>;
}

const letterKey = (t: Token) => t.t.replace(/['’]/g, '');

export function letterStream(tokens: Token[]): LetterStream {
  const starts = new Set<number>();
  const ends = new Set<number>();
  let letters = '';
  for (const t of tokens) {
    starts.add(letters.length);
    letters += letterKey(t);
    ends.add(letters.length);
  }
  return { letters, starts, ends };
}

/**
 * The heaviest run of whole source words whose letters occur, one after another, in the published letter
 * stream however the words were split or joined there: "pro-duction", "p.r.o.d.u.c.t.i.o.n", a hair space
 * inside a word, words written together. A source word at either end of the run counts only when the
 * published text has a word boundary there too, so an 11-word quotation next to a word that happens to end
 * in the same letters as the source's next word is not a run of 12. Returns the source's tokens and the
 * [start, end) of the run in the stream. Linear in the stream (the source's automaton is walked along it).
 */
export function findCopiedLetters(own: LetterStream, source: Token[], runWords = COPY_RUN_WORDS): { tokens: Token[]; start: number; end: number } | undefined {
  if (weight(source) < runWords) return undefined;
  let text = '';
  const tokStart: number[] = [];
  const tokEnd: number[] = [];
  const tokOfChar: number[] = [];
  source.forEach((t, k) => {
    tokStart.push(text.length);
    const key = letterKey(t);
    text += key;
    for (let c = 0; c < key.length; c++) tokOfChar.push(k);
    tokEnd.push(text.length);
  });
  const wPrefix = [0];
  for (const t of source) wPrefix.push(wPrefix.at(-1)! + t.w);
  const a = buildAutomaton(Array.from({ length: text.length }, (_, k) => text.charCodeAt(k)));
  let best: { from: number; to: number; weight: number; start: number; end: number } | undefined;
  let state = 0;
  let len = 0;
  const { letters } = own;
  for (let p = 0; p < letters.length; p++) {
    const c = letters.charCodeAt(p);
    while (state !== 0 && !a.next[state]!.has(c)) {
      state = a.link[state]!;
      len = a.len[state]!;
    }
    const to = a.next[state]!.get(c);
    if (to === undefined) {
      len = 0;
      continue;
    }
    state = to;
    len++;
    if (len < runWords) continue; // fewer letters than words needed
    const e = a.end[state]!;
    const s = e - len + 1;
    const ownAt = (x: number) => p - (e - x); // source offset → stream offset
    let first = tokOfChar[s]! + (tokStart[tokOfChar[s]!] === s ? 0 : 1);
    let last = tokOfChar[e]! - (tokEnd[tokOfChar[e]!] === e + 1 ? 0 : 1);
    if (first <= last && !own.starts.has(ownAt(tokStart[first]!))) first++;
    if (first <= last && !own.ends.has(ownAt(tokEnd[last]! - 1) + 1)) last--;
    if (first > last) continue;
    const w = wPrefix[last + 1]! - wPrefix[first]!;
    if (!best || w > best.weight) best = { from: first, to: last + 1, weight: w, start: ownAt(tokStart[first]!), end: ownAt(tokEnd[last]! - 1) + 1 };
  }
  return best && best.weight >= runWords - 1e-9 ? { tokens: source.slice(best.from, best.to), start: best.start, end: best.end } : undefined;
}

export { describeLength, joinTokens, toTokens };
