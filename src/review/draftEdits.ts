import { z } from 'zod';
import { HORIZONS, Level, type DraftSignal } from '../drafts/schema.ts';
import { DeskError } from '../errors.ts';
import { stripBidiControls } from '../parse/bidi.ts';
import { labelOf } from './fieldLabels.ts';
import { findCopiedText, type StoryDraft } from './findCopiedText.ts';

/**
 * Text an editor sends: a string without lone surrogates (half an emoji is not text, and Redis' JSON
 * decoder refuses its `\ud800` escape, so the draft could never be written again).
 */
const LONE_SURROGATE = /\p{Cs}/u;
const isText = (s: string) => !LONE_SURROGATE.test(s);
const NOT_TEXT = 'holds a lone surrogate (half a character): not text';
const wellFormed = () => z.string().refine(isText, NOT_TEXT);

/**
 * Control characters other than line feed and tab (ESC, DEL, C1's CSI): never text an editor means, and they reach
 * terminals (`review show`), feeds and webhooks as control sequences. Carriage returns become line feeds.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
export const stripControls = (s: string) => s.replace(/\r\n?/g, '\n').replace(CONTROL, '');

/** Editors' text: bidi and other controls removed (they could reverse how a published headline reads), then trimmed. */
const text = (max: number) => wellFormed().overwrite((s) => stripControls(stripBidiControls(s))).trim().max(max, `at most ${max} characters`);
const list = z.array(text(200), 'a list of entries').max(10, 'at most 10 entries');

/** What an editor may change. Source metadata (link, source, dates, excerpt) is not editable: it is a record of what the source said. */
export const EditableFields = z.strictObject({
  headline: text(300).min(1, 'a headline is required'),
  category: text(80).nullable(),
  score: z.number('a whole number from 0 to 100').int('a whole number from 0 to 100').min(0, '0 to 100').max(100, '0 to 100'),
  horizon: z.enum(HORIZONS, `one of: ${HORIZONS.join(', ')}`).nullable(),
  summary: text(1000),
  whyNow: text(1000),
  whyImportant: text(1000),
  whatChanges: text(1000),
  winners: list,
  losers: list,
  secondOrderEffects: z.strictObject({ direct: text(600), second: text(600), third: text(600) }).partial(),
  editorialConfidence: Level.nullable(),
  structuralImpact: Level.nullable(),
  tags: z.array(text(100).min(1, 'an empty tag'), 'a list of tags').max(30, 'at most 30 tags'),
});
export type DraftPatch = Partial<z.infer<typeof EditableFields>>;
export const EDITABLE = Object.keys(EditableFields.shape);

const Version = z.number({ error: 'required: send the version of the draft you read (a whole number)' }).int().min(1);

/** Every write names the version it read, so a write made from a stale page gets 409 instead of overwriting. */
export const PatchBody = EditableFields.partial().extend({ version: Version });
export const VersionBody = z.object({ version: Version });
export const RejectBody = VersionBody.extend({ reason: z.string({ error: 'required: say why the draft is rejected' }).refine(isText, NOT_TEXT).overwrite((s) => stripControls(stripBidiControls(s))).trim().min(1, 'required: say why the draft is rejected').max(500, 'at most 500 characters') });
export const MergeBody = VersionBody.extend({ into: z.string({ error: 'required: the id of the draft that keeps the story' }).regex(/^d_[A-Za-z0-9_-]{16}$/, 'must be a draft id (d_…)') });

/** The editable fields as the desk labels them ("Headline, Category, …"), for messages. */
const EDITABLE_LABELS = EDITABLE.map(labelOf).join(', ');

/**
 * Parses a request body with one message per field (HTTP 422), unknown fields named with the list of editable ones.
 * `fields` is keyed by field name (for programs and the form); `message` names them as the desk labels them.
 */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  // A Map, not an object: a key named "__proto__" is a field name like any other, not the object's prototype.
  const fields = new Map<string, string>();
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) fields.set([...issue.path, key].join('.'), `cannot be edited; editable fields are: ${EDITABLE_LABELS}`);
    } else {
      const path = issue.path.join('.') || '(body)';
      if (!fields.has(path)) fields.set(path, issue.message);
    }
  }
  const message = [...fields].map(([f, m]) => `${f === '(body)' ? 'the request' : labelOf(f)}: ${m}`).join('; ');
  throw new DeskError('invalid_fields', `invalid fields: ${message}`, { fields: Object.fromEntries(fields) });
}

/** The draft with the patch applied (a shallow merge; second-order effects merge per level). Pure. */
export function applyPatch(draft: DraftSignal, patch: DraftPatch): DraftSignal {
  const { secondOrderEffects, ...rest } = patch;
  return { ...draft, ...rest, secondOrderEffects: { ...draft.secondOrderEffects, ...secondOrderEffects } };
}

/** Names of the fields a patch really changes. */
export function changedFields(before: DraftSignal, after: DraftSignal): string[] {
  return EDITABLE.filter((f) => JSON.stringify(before[f as keyof DraftSignal]) !== JSON.stringify(after[f as keyof DraftSignal]));
}

/** Fields that must be filled before a draft can be published: the brief never shows a signal without them. */
const REQUIRED_TO_APPROVE: [keyof DraftSignal, string][] = [
  ['category', 'a category'],
  ['horizon', 'a horizon'],
  ['whyNow', 'why now'],
  ['whyImportant', "why it's important"],
  ['editorialConfidence', 'an editorial confidence'],
  ['structuralImpact', 'a structural impact'],
];

/** The fields still empty that approval needs, in the form's order. Pure. */
export function missingToApprove(d: DraftSignal): string[] {
  return REQUIRED_TO_APPROVE.filter(([f]) => d[f] === null || d[f] === '').map(([f]) => f);
}

/**
 * Throws 422 when a draft cannot be published: missing fields (`invalid_fields`), or source text copied into
 * what it publishes (`copied_text`, see findCopiedText.ts). `story` holds the drafts merged into this one.
 */
export function checkPublishable(d: DraftSignal, story: StoryDraft[] = []): void {
  const missing = missingToApprove(d);
  if (missing.length) {
    const fields = Object.fromEntries(REQUIRED_TO_APPROVE.filter(([f]) => missing.includes(f)).map(([f, what]) => [f, `required to approve: fill in ${what}`]));
    throw new DeskError('invalid_fields', `cannot approve yet: ${missing.map(labelOf).join(', ')} must be filled in`, { fields });
  }
  const copied = findCopiedText(d, story);
  if (copied) throw new DeskError('copied_text', copied.message, { fields: copied.fields });
}
