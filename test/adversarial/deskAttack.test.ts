import { describe, expect, it } from 'vitest';
import { withDesk } from '../helpers/desk.ts';
import { raw } from './deskHttp.ts';

/**
 * Attacks on the desk's web server and auth after issue 8: what a crafted request (not a browser's) still
 * turned into a 500, a bypass or a broken promise.
 */

describe('static assets', () => {
  it('names of Object.prototype members are no asset: 404, not 500', async () => {
    await withDesk(async (h) => {
      const results: string[] = [];
      for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf']) {
        const res = await raw(h.url, { path: `/assets/${name}` });
        if (res.status !== 404) results.push(`${name}: ${res.status}`);
      }
      expect(results).toEqual([]);
      expect((await raw(h.url, { path: '/assets/desk.css' })).status).toBe(200);
    });
  });
});
