/**
 * The names editors see for draft fields, as the desk's edit form labels them: every message about a field (the
 * API's `message`, the CLI, the desk banner) says "Why now", not `whyNow`. `review edit --set` accepts either
 * the field name or its label (case-insensitive).
 */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  headline: 'Headline',
  category: 'Category',
  score: 'Signal score',
  horizon: 'Horizon',
  summary: 'Summary',
  whyNow: 'Why now',
  whyImportant: "Why it's important",
  whatChanges: 'What changes',
  winners: 'Winners',
  losers: 'Losers',
  secondOrderEffects: 'Second-order effects',
  'secondOrderEffects.direct': 'Direct effect',
  'secondOrderEffects.second': 'Second-order effect',
  'secondOrderEffects.third': 'Third-order effect',
  editorialConfidence: 'Editorial confidence',
  structuralImpact: 'Structural impact',
  tags: 'Tags',
  reason: 'Reason',
  into: 'Merge into',
  version: 'Version',
  link: 'Link',
  excerpt: 'Excerpt',
  related: 'Related coverage',
};

/** "Why now" for `whyNow`; a list entry (`winners.2`) is named by its list ("Winners, entry 3"); an unknown path as it is. */
export function labelOf(path: string): string {
  // Own keys only: `constructor` or `__proto__` in a request body is named as sent, not as Object's inherited members.
  const label = (p: string) => (Object.hasOwn(FIELD_LABELS, p) ? FIELD_LABELS[p] : undefined);
  if (label(path)) return label(path)!;
  const m = /^(.*)\.(\d+)$/.exec(path);
  if (m && label(m[1]!)) return `${label(m[1]!)}, entry ${Number(m[2]) + 1}`;
  return path;
}

/** The field a user typed (`whyNow`, `Why now`, `why now`, `why-now`) as the draft's field name, or undefined. */
export function fieldOfLabel(input: string): string | undefined {
  const fold = (s: string) => s.toLowerCase().replace(/[^a-z0-9.]/g, '');
  const wanted = fold(input);
  for (const [field, label] of Object.entries(FIELD_LABELS)) if (fold(field) === wanted || fold(label) === wanted) return field;
  return undefined;
}
