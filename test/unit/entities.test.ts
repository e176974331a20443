import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Entity, entityKey, extractEntities } from '../../src/entities/extractEntities.ts';

const DIR = 'fixtures/entities';

describe('extractEntities golden fixtures (fixtures/entities/<quirk>.json → .expected.json)', () => {
  const inputs = readdirSync(DIR).filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'));
  it('has fixtures', () => expect(inputs.length).toBeGreaterThanOrEqual(10));
  for (const f of inputs) {
    it(f.replace(/\.json$/, ''), () => {
      const input = JSON.parse(readFileSync(`${DIR}/${f}`, 'utf8'));
      const expected = JSON.parse(readFileSync(`${DIR}/${f.replace(/\.json$/, '.expected.json')}`, 'utf8'));
      expect(extractEntities(input)).toEqual(expected);
    });
  }
});

describe('extractEntities on bad input', () => {
  it('one-character and empty fields give nothing', () => {
    expect(extractEntities({ headline: 'x' })).toEqual([]);
    expect(extractEntities({ headline: '', excerpt: '   ', page: null })).toEqual([]);
  });

  it('a 5,000-character headline and thousands of names stay bounded: at most 30 entities, each valid', () => {
    const names = Array.from({ length: 2000 }, (_, i) => `Zorblax${String.fromCharCode(65 + (i % 26))}${i} Corp`).join(', ');
    const out = extractEntities({ headline: `${'Nvidia '.repeat(700)}`, excerpt: names, page: names });
    expect(out.length).toBeLessThanOrEqual(30);
    for (const e of out) expect(Entity.safeParse(e).success).toBe(true);
    expect(out[0]).toMatchObject({ name: 'Nvidia', from: 'headline' });
  });

  it('every script mixed: names in cased scripts are found, nothing throws on the rest', () => {
    const out = extractEntities({ headline: 'Intel и Samsung: Ангела Меркель مرحبا 東京 ผู้ใหญ่ 🚀 Zürich', excerpt: '\u202eevil\u202c Tim Cook' });
    const names = out.map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(['Intel', 'Samsung', 'Ангела Меркель', 'Zürich', 'Tim Cook']));
    expect(names.join(' ')).not.toMatch(/[\u202e\u202c]/u);
  });

  it('keys names case- and width-insensitively', () => {
    expect(entityKey('ＮＶＩＤＩＡ  Corp')).toBe('nvidia corp');
  });
});
