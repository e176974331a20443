import { DeskError } from '../errors.ts';
import { EDITABLE } from '../review/draftEdits.ts';
import { fieldOfLabel, labelOf } from '../review/fieldLabels.ts';

/**
 * `review edit`'s arguments as the body the desk service takes (the API's PATCH body): `--set FIELD=VALUE`
 * (FIELD as the desk labels it or as the API names it) and `--from FILE.json`. Only the CLI's own syntax is
 * checked here; every rule about values (lengths, ranges, editable fields) is the service's, so the CLI gets the
 * same 422 as the API. Pure.
 */

/** Lists take repeated `--set` or one value split at line breaks (or, on one line, at commas). */
const LISTS = new Set(['winners', 'losers', 'tags']);
/** Numbers are parsed (anything else goes to the service as typed, which says what it takes). */
const NUMBERS = new Set(['score', 'editorialConfidence', 'structuralImpact']);
/** An empty value clears these (null); other text fields become empty text. */
const NULLABLE = new Set(['category', 'horizon', 'editorialConfidence', 'structuralImpact']);
const EFFECTS = 'secondOrderEffects';

export type EditBody = Record<string, unknown>;

const EDITABLE_LABELS = () => EDITABLE.map(labelOf).join(', ');

function argError(field: string, message: string): DeskError {
  return new DeskError('invalid_fields', `${labelOf(field)}: ${message}`, { fields: { [field]: message } });
}

/** One `--set` value as the service takes it. */
function valueOf(field: string, raw: string): unknown {
  if (raw.trim() === '' && NULLABLE.has(field)) return null;
  if (NUMBERS.has(field) && /^\s*-?\d+(\.\d+)?\s*$/.test(raw)) return Number(raw);
  return raw;
}

/** "A\nB" or "A, B" as entries; empty entries dropped (so `--set winners=` clears the list). */
export function splitList(raw: string): string[] {
  const parts = /[\r\n]/.test(raw) ? raw.split(/\r?\n|\r/) : raw.split(',');
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** A name as typed, cut for a message (a pasted paragraph is no field name). */
const shorten = (s: string) => (s.length > 60 ? `${s.slice(0, 60)}…` : s);

/** The field a user named, by label or name; refuses names that are no field at all and `version` (use --version). */
function resolveField(name: string, where: string): string {
  const field = EDITABLE.includes(name) || name.startsWith(`${EFFECTS}.`) ? name : fieldOfLabel(name);
  if (field === 'version') throw argError('version', `give the version with --version N, not ${where}`);
  if (!field) throw new DeskError('invalid_fields', `unknown field "${shorten(name)}" (${shorten(where)}): editable fields are: ${EDITABLE_LABELS()}`, { fields: { [shorten(name)]: 'not a field' } });
  if (field === EFFECTS) throw argError(EFFECTS, `set its parts one by one: ${['direct', 'second', 'third'].map((k) => labelOf(`${EFFECTS}.${k}`)).join(', ')}`);
  return field;
}

/** Puts `value` at `field`, nesting `secondOrderEffects.direct` and its siblings. */
function put(body: EditBody, field: string, value: unknown): void {
  if (field.startsWith(`${EFFECTS}.`)) {
    const effects = (typeof body[EFFECTS] === 'object' && body[EFFECTS] !== null ? body[EFFECTS] : {}) as Record<string, unknown>;
    body[EFFECTS] = { ...effects, [field.slice(EFFECTS.length + 1)]: value };
  } else {
    // defineProperty: a `__proto__` key from a file is a key like any other (the service refuses it), not a prototype.
    Object.defineProperty(body, field, { value, enumerable: true, writable: true, configurable: true });
  }
}

/** `--set` arguments (in order) on top of `base` (from --from). A field other than a list set twice is refused. */
export function applySets(base: EditBody, sets: readonly string[]): EditBody {
  const body: EditBody = structuredClone(base);
  const seen = new Set<string>();
  for (const arg of sets) {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new DeskError('invalid_fields', `--set ${JSON.stringify(arg)}: write FIELD=VALUE, e.g. --set "Why now=…" (an empty VALUE clears the field)`, { fields: { '(set)': 'write FIELD=VALUE' } });
    const field = resolveField(arg.slice(0, eq).trim(), `--set ${arg.slice(0, eq).trim()}`);
    const raw = arg.slice(eq + 1);
    if (LISTS.has(field)) {
      const before = seen.has(field) && Array.isArray(body[field]) ? (body[field] as unknown[]) : [];
      put(body, field, [...before, ...splitList(raw)]);
    } else {
      if (seen.has(field)) throw argError(field, 'set twice: give it once (only lists, like Winners, take several --set)');
      put(body, field, valueOf(field, raw));
    }
    seen.add(field);
  }
  return body;
}

/**
 * `--from` text: a JSON object of fields (named as the API names them or as the desk labels them), values as
 * the API takes them. `version` in it counts as the version read. `where` names the file for messages.
 */
export function parseEditJson(text: string, where: string): EditBody {
  let parsed: unknown;
  try {
    // A byte order mark (Notepad and other editors save UTF-8 with one) is no part of the JSON.
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new DeskError('invalid_fields', `${where} is not JSON (${(err as Error).message}): give an object such as {"whyNow": "…", "winners": ["…"]}`, { fields: { '(from)': 'not JSON' } });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DeskError('invalid_fields', `${where} holds ${Array.isArray(parsed) ? 'a list' : String(parsed === null ? 'null' : typeof parsed)}, not an object of fields such as {"whyNow": "…"}`, { fields: { '(from)': 'not an object' } });
  }
  const body: EditBody = {};
  const given = new Map<string, string>();
  for (const [key, value] of Object.entries(parsed)) {
    // A key the desk does not know goes to the service as it is: its 422 names it ("cannot be edited").
    const field = key === 'version' ? key : EDITABLE.includes(key) || key.startsWith(`${EFFECTS}.`) ? key : (fieldOfLabel(key) ?? key);
    // "whyNow" and "Why now" in one file are one field: refused, never one of them silently dropped.
    const before = given.get(field);
    if (before !== undefined) throw argError(field, `given twice in ${where}, as ${JSON.stringify(shorten(before))} and ${JSON.stringify(shorten(key))}: give it once`);
    given.set(field, key);
    put(body, field, value);
  }
  return body;
}
