/**
 * What a page says after a form post. The redirect carries a code from this table and at most an id, never
 * text: a link someone else crafted (`/drafts/ID?done=…`) can only make the desk say one of its own
 * sentences, not "Session expired, paste your token at …". Ids are shown only when they have the shape of
 * ours; anything else shows nothing.
 */
const ID = /^[A-Za-z0-9_-]{1,64}$/;

type Params = Record<string, unknown>;
const id = (p: Params, name: string): string | undefined => {
  const v = p[name];
  return typeof v === 'string' && ID.test(v) ? v : undefined;
};

/** "3 drafts" from a bulk action's `count` (a small whole number, else "the drafts"). */
const count = (p: Params): string => {
  const n = typeof p.count === 'string' && /^[1-9]\d{0,3}$/.test(p.count) ? Number(p.count) : undefined;
  return n === undefined ? 'the drafts' : `${n} draft${n === 1 ? '' : 's'}`;
};

const NOTICES: Record<string, (p: Params) => string | undefined> = {
  claimed: () => 'Claimed.',
  renewed: () => 'Claim renewed.',
  released: () => 'Claim released.',
  saved: () => 'Saved.',
  approved: (p) => {
    const merged = typeof p.merged === 'string' && /^[1-9]\d{0,3}$/.test(p.merged) ? Number(p.merged) : 0;
    const also = merged ? ` The story's ${merged} other pending item${merged === 1 ? ' was' : 's were'} merged into it: the signal lists ${merged === 1 ? 'its link' : 'their links'}.` : '';
    return `${id(p, 'signal') ? `Approved and published as ${id(p, 'signal')}.` : 'Approved and published.'}${also}`;
  },
  rejected: () => 'Rejected.',
  merged: (p) => (id(p, 'into') ? `Merged into ${id(p, 'into')}.` : 'Merged.'),
  reopened: () => 'Reopened: back in the queue.',
  split: (p) => (id(p, 'story') ? `Split out: now alone in story ${id(p, 'story')}; it never rejoins the story it left.` : 'Split out of its story.'),
  moved: (p) => (id(p, 'story') ? `Moved to story ${id(p, 'story')}, pinned there.` : 'Moved.'),
  'bulk-reject': (p) => `Rejected ${count(p)}.`,
  'bulk-merge': (p) => `Merged ${count(p)}${id(p, 'into') ? ` into ${id(p, 'into')}` : ''}.`,
  'bulk-release': (p) => `Released the claims on ${count(p)}.`,
  resumed: (p) => (id(p, 'source') ? `${id(p, 'source')} resumed: polled again within a minute.` : undefined),
  'not-paused': (p) => (id(p, 'source') ? `${id(p, 'source')} was not paused.` : undefined),
  // Operators' source actions (issue 11): what the Sources page says after each.
  polled: (p) => (id(p, 'source') ? `${id(p, 'source')}: a poll was queued (or its next poll moved to now); a running worker polls it within seconds.` : undefined),
  'poll-pending': (p) => (id(p, 'source') ? `${id(p, 'source')} is being polled already, or its poll is due: nothing added.` : undefined),
  paused: (p) => (id(p, 'source') ? `${id(p, 'source')} paused: not polled until resumed. The sources file is unchanged.` : undefined),
  'already-paused': (p) => (id(p, 'source') ? `${id(p, 'source')} was already paused.` : undefined),
  disabled: (p) => (id(p, 'source') ? `${id(p, 'source')} disabled in the sources file (enabled: false); a running run reloads it.` : undefined),
  'already-disabled': (p) => (id(p, 'source') ? `${id(p, 'source')} was already disabled.` : undefined),
  enabled: (p) => (id(p, 'source') ? `${id(p, 'source')} enabled in the sources file; a running run reloads it.` : undefined),
  'already-enabled': (p) => (id(p, 'source') ? `${id(p, 'source')} was already enabled.` : undefined),
  removed: (p) => (id(p, 'source') ? `${id(p, 'source')} removed from the sources file; a running run stops its polls.` : undefined),
};

/** The query string of a redirect that shows notice `code` (with its ids). */
export function noticeQuery(code: keyof typeof NOTICES & string, ids: Record<string, string> = {}): string {
  return `?${new URLSearchParams({ done: code, ...ids }).toString()}`;
}

/** The sentence a page shows for its query's `done` code; undefined for no code or one we never send. */
export function noticeText(query: unknown): string | undefined {
  const p = (query ?? {}) as Params;
  const code = p.done;
  if (typeof code !== 'string' || !Object.hasOwn(NOTICES, code)) return undefined;
  return NOTICES[code]!(p);
}
