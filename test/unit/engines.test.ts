import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * npm's engines check, for the range forms package-lock.json holds (`>=20.18.1`, `^20.19.0 || >=22.12.0`,
 * `18 || 20 || >=22`, `>= 10.x`, `>=16 || 14 >=14.17`): true when `version` satisfies `range`. Pure.
 */
export function satisfies(version: string, range: string): boolean {
  const v = version.split('.').map(Number) as [number, number, number];
  const cmp = (a: number[], b: number[]) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
  return range.split('||').some((alternative) =>
    alternative
      .trim()
      .replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1')
      .split(/\s+/)
      .filter(Boolean)
      .every((comparator) => {
        const m = /^(>=|<=|>|<|=|\^|~)?v?(\d+|[x*])(?:\.(\d+|[x*]))?(?:\.(\d+|[x*]))?$/.exec(comparator);
        if (comparator === '*') return true;
        if (!m) throw new Error(`range form not handled: "${comparator}" in "${range}"`);
        const [, op = '', ...raw] = m;
        const parts = raw.map((p) => (p === undefined || p === 'x' || p === '*' ? undefined : Number(p)));
        const floor = parts.map((p) => p ?? 0);
        switch (op) {
          case '>=': return cmp(v, floor) >= 0;
          case '>': return cmp(v, floor) > 0;
          case '<': return cmp(v, floor) < 0;
          case '<=': return cmp(v, floor) <= 0;
          case '^': return v[0] === floor[0] && cmp(v, floor) >= 0;
          case '~': return v[0] === floor[0] && v[1] === floor[1] && cmp(v, floor) >= 0;
          default: return parts.every((p, i) => p === undefined || v[i] === p);
        }
      }),
  );
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { version?: string; dev?: boolean; optional?: boolean; engines?: { node?: string } | string[] }> };

describe('the engines check', () => {
  it.each([
    ['20.19.0', '^20.19.0 || ^22.13.0 || >=24', true],
    ['20.18.0', '>=20.18.1', false],
    ['20.18.1', '>=20.18.1', true],
    ['20.20.2', '18 || 20 || >=22', true],
    ['21.1.0', '18 || 20 || >=22', false],
    ['20.19.0', '>= 10.x', true],
    ['14.16.0', '>=16 || 14 >=14.17', false],
    ['19.0.0', '^18.18.0 || ^20.9.0 || >=21.1.0', false],
  ])('%s against %s: %s', (version, range, expected) => expect(satisfies(version, range)).toBe(expected));
});

// Issue 11, item 11: `npm ci` on the Node the README names printed EBADENGINE warnings (package.json said
// >=20.18 while entities, cheerio and undici want 20.18.1 or 20.19): every installed package must accept the
// oldest Node that package.json's `engines` lets in, and every place names the same Node.
describe('one Node version everywhere, and no EBADENGINE on it', () => {
  const oldest = /^>=\s*(\d+)\.(\d+)$/.exec(pkg.engines.node);

  it('package.json names its oldest Node as >=MAJOR.MINOR, and the lock file agrees', () => {
    expect(oldest, pkg.engines.node).not.toBeNull();
    expect(lock.packages['']!.engines).toEqual(pkg.engines);
  });

  it('every package in the lock file, dev ones included (npm ci installs them), accepts that Node', () => {
    const version = `${oldest![1]}.${oldest![2]}.0`;
    const refused = Object.entries(lock.packages)
      .filter(([path, info]) => path !== '' && info.engines && !Array.isArray(info.engines) && info.engines.node && !satisfies(version, info.engines.node))
      .map(([path, info]) => `${path}@${info.version} wants node ${(info.engines as { node: string }).node}`);
    expect(refused).toEqual([]);
  });

  it('the README and the Docker image name the same Node', () => {
    const [, major, minor] = oldest!;
    expect(readFileSync('README.md', 'utf8')).toContain(`Node ${major}.${minor} or later`);
    expect(readFileSync('Dockerfile', 'utf8')).toMatch(new RegExp(`^FROM node:${major}-`, 'm'));
  });
});
