/** Words as editors and readers see them: letters and digits, with inner apostrophes ("don't"), case-folded. */
function words(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu) ?? [];
}

export const COPY_RUN_WORDS = 12;

/**
 * The first run of `runWords` or more consecutive words of `text` that also occurs, word for word, in
 * `source`; undefined when there is none. Punctuation and case are ignored, so re-punctuating a copied
 * sentence does not hide it. Used to refuse publishing text lifted from the source's excerpt: Signal
 * Desk links to sources, it never republishes them.
 */
export function findCopiedRun(text: string, source: string, runWords = COPY_RUN_WORDS): string | undefined {
  const src = words(source);
  if (src.length < runWords) return undefined;
  const shingles = new Set<string>();
  for (let i = 0; i + runWords <= src.length; i++) shingles.add(src.slice(i, i + runWords).join(' '));
  const own = words(text);
  for (let i = 0; i + runWords <= own.length; i++) {
    if (!shingles.has(own.slice(i, i + runWords).join(' '))) continue;
    // Extend the match as far as it goes, so the message shows the whole copied run.
    let end = i + runWords;
    while (end < own.length && shingles.has(own.slice(end - runWords + 1, end + 1).join(' '))) end++;
    return own.slice(i, end).join(' ');
  }
  return undefined;
}
