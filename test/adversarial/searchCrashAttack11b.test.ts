import { describe, expect, it } from 'vitest';
import { indexKeyList, searchKeys } from '../../src/search/searchIndex.ts';
import { withDesk } from '../helpers/desk.ts';

describe('search index lost or rebuilding, attacked', () => {
  it('/api/facets with the index version key missing (a store from before the index, or a rebuild under way) still counts every draft', async () => {
    await withDesk(async (h) => {
      await h.seed([{ title: 'Memory prices climb', categories: ['chips'] }, { title: 'Another one', categories: ['chips'] }, { title: 'Third', categories: ['cloud'] }]);
      const before = await h.api('GET', '/api/facets', { token: h.tokens.viewer });
      expect(before.status).toBe(200);
      const tags = (b: { tags: { value: string; count: number }[] }) => Object.fromEntries(b.tags.map((t) => [t.value, t.count]));
      expect(tags(before.body)).toEqual({ chips: 2, cloud: 1 });
      // The index is gone (as after an upgrade over an existing queue, or while `migrate` rebuilds it), the drafts are not.
      await h.redis.del(searchKeys(h.keys).version, ...indexKeyList(h.keys));
      const after = await h.api('GET', '/api/facets', { token: h.tokens.viewer });
      expect(after.status).toBe(200);
      expect(tags(after.body)).toEqual({ chips: 2, cloud: 1 });
      expect(after.body.sources.reduce((n: number, s: { count: number }) => n + s.count, 0)).toBe(3);
    });
  });
});
