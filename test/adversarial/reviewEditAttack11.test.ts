import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReview } from '../helpers/cliInProcess.ts';
import { withDesk } from '../helpers/desk.ts';

// eslint-disable-next-line no-control-regex
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('review edit under attack (issue 11)', () => {
  it('a file from someone else cannot reach the terminal, the prototype or another field; look-alikes and huge names are refused plainly', async () => {
    await withDesk(async (h) => {
      const [id] = await h.seed([{}]);
      const dir = await mkdtemp(join(tmpdir(), 'sd-attack-'));
      const file = async (name: string, text: string) => {
        const path = join(dir, name);
        await writeFile(path, text);
        return path;
      };

      // A key that is a terminal control sequence: named in the refusal without its controls.
      const controls = await runReview(h.settings, ['edit', id!, '--from', await file('esc.json', JSON.stringify({ '\u001b]0;owned\u0007\u001b[2J': 'x' }))]);
      expect(controls.code).toBe(1);
      expect(controls.stderr).toContain('cannot be edited');
      expect(controls.stderr).not.toMatch(TERMINAL_CONTROL);

      // "__proto__" is refused by its name (the 422 once said only "invalid fields: ": the key had been assigned
      // to a plain object, setting its prototype) and sets no prototype; "constructor" is named as sent (labelOf once
      // named it by Object's inherited constructor: "function Object() { [native code] }: cannot be edited").
      const proto = await runReview(h.settings, ['edit', id!, '--from', await file('proto.json', '{"__proto__": {"whyNow": "polluted"}}')]);
      expect(proto.code).toBe(1);
      expect(proto.stderr).toMatch(/^signal-desk: invalid fields: __proto__: cannot be edited; editable fields are: Headline/);
      expect(({} as Record<string, unknown>).whyNow).toBeUndefined();
      const ctor = await runReview(h.settings, ['edit', id!, '--from', await file('ctor.json', '{"constructor": {"prototype": {"x": 1}}}')]);
      expect(ctor.code).toBe(1);
      expect(ctor.stderr).toMatch(/^signal-desk: invalid fields: constructor: cannot be edited/);
      const api = await h.api('PATCH', `/api/drafts/${id}`, { token: h.tokens.editor, body: { version: 1, constructor: 1, toString: 'x' } });
      expect(api.body.message).toMatch(/^invalid fields: constructor: cannot be edited; .*; toString: cannot be edited/);
      expect((await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.viewer })).body).toMatchObject({ version: 1, whyNow: '' });

      // Full-width look-alikes of "Why now" are no field name (never silently another field); a 5,000-character name is cut.
      expect((await runReview(h.settings, ['edit', id!, '--set', 'Ｗｈｙ ｎｏｗ=x'])).stderr).toContain('unknown field "Ｗｈｙ ｎｏｗ"');
      const huge = await runReview(h.settings, ['edit', id!, '--set', `${'a'.repeat(5000)}=x`]);
      expect(huge.code).toBe(1);
      expect(huge.stderr.length).toBeLessThan(600);

      // Numbers that only look like numbers go to the service as typed, which refuses them by the desk's label.
      for (const v of ['1e2', '0x10', '50.5', ' ']) {
        const r = await runReview(h.settings, ['edit', id!, '--set', `score=${v}`]);
        expect(r.code, v).toBe(1);
        expect(r.stderr, v).toMatch(/Signal score: (a whole number from 0 to 100|0 to 100)/);
      }
      // A bidi override in a value is stripped by the service, as on the desk.
      expect((await runReview(h.settings, ['edit', id!, '--set', 'whyNow=\u202Egnirts'])).code).toBe(0);
      expect((await h.api('GET', `/api/drafts/${id}`, { token: h.tokens.viewer })).body.whyNow).toBe('gnirts');
    });
  });
});
