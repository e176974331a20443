import { describe, expect, it } from 'vitest';
import { parseSources } from '../../src/config/loadSources.ts';
import { ConfigError, formatConfigIssue } from '../../src/errors.ts';

function issuesOf(yaml: string): string[] {
  try {
    parseSources(yaml, 'config/sources.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map(formatConfigIssue);
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const ok = `sources:
  - id: toms-hardware
    name: Tom's Hardware
    url: https://www.tomshardware.com/feeds/all
`;

describe('parseSources', () => {
  it('applies defaults', () => {
    const [s] = parseSources(ok, 'f.yaml');
    expect(s).toMatchObject({ kind: 'auto', enabled: true, weight: 0.5, tags: [], schedule: { every: '15m' }, filters: { include: [], exclude: [] } });
  });

  it.each([
    ['a non-http URL', 'url: ftp://example.com/feed', 'config/sources.yaml:4: source "toms-hardware" field "url": must use http or https, got "ftp"'],
    ['a relative URL', 'url: /feed.xml', 'field "url": must be an absolute http or https URL, got "/feed.xml"'],
    ['an unknown kind', 'kind: podcast', 'field "kind": must be one of auto, rss, atom, rdf, jsonfeed'],
    ['a weight out of range', 'weight: 2', 'field "weight": must be from 0 to 1'],
    ['a bad duration', 'schedule: { every: soon }', 'field "schedule.every": "soon" is not a duration: use forms like 90s, 15m, 1h30m, 1d'],
    ['a too-frequent schedule', 'schedule: { every: 10s }', 'field "schedule.every": "10s" is too frequent: at least 1m between polls'],
    ['a bad cron pattern', 'schedule: { cron: "every tuesday" }', 'field "schedule.cron": cron "every tuesday" is not a 5-field cron expression (minute hour day-of-month month day-of-week)'],
    ['a cron with a seconds field', 'schedule: { cron: "* * * * * *" }', 'field "schedule.cron": cron "* * * * * *" has 6 fields: a seconds field is not allowed'],
    ['a cron with cron-parser\'s random "H"', 'schedule: { cron: "H * * * *" }', 'field "schedule.cron": cron "H * * * *" uses "H" (a random value)'],
    ['an interval nobody means', 'schedule: { every: 99999999999999999999d }', 'field "schedule.every": "99999999999999999999d" is too long: at most 30d between polls'],
    ['an adaptive bound nobody means', 'schedule: { every: 15m, max: 400d }', 'field "schedule.max": "400d" is too long: at most 30d between polls'],
    ['a 4-field cron', 'schedule: { cron: "* * * *" }', 'field "schedule.cron": cron "* * * *" is not a 5-field cron expression (minute hour day-of-month month day-of-week): it has 4 fields'],
    ['an unknown time zone', 'schedule: { cron: "*/10 * * * *", tz: Mars/Olympus }', 'field "schedule.tz": "Mars/Olympus" is not a time zone'],
    ['a time zone on an every schedule', 'schedule: { every: 15m, tz: Europe/Paris }', 'field "schedule.tz": applies to cron schedules only'],
    ['both every and cron', 'schedule: { every: 5m, cron: "* * * * *" }', 'field "schedule": give exactly one of every'],
    ['a misspelt field', 'shedule: { every: 5m }', 'field "shedule": unknown field "shedule"; supported fields are id, name, url, kind, schedule, enabled, tags, category, weight, filters'],
  ])('names file, line, source and field for %s', (_name, line, expected) => {
    const yaml = `sources:\n  - id: toms-hardware\n    name: Tom's Hardware\n    ${line.startsWith('url:') ? line : `url: https://example.com/feed\n    ${line}`}\n`;
    expect(issuesOf(yaml).join('\n')).toContain(expected);
  });

  it('reports every problem at once, with its line', () => {
    const issues = issuesOf(`sources:
  - id: Bad Id
    name: A
    url: https://a.example/feed
  - id: b
    url: mailto:x@example.com
  - id: c
    name: C
    url: https://c.example/feed
  - id: c
    name: C again
    url: https://c.example/other
`);
    expect(issues).toEqual([
      expect.stringMatching(/^config\/sources\.yaml:2: source "Bad Id" field "id": must be a slug/),
      expect.stringMatching(/^config\/sources\.yaml:5: source "b" field "name": is required/),
      expect.stringMatching(/^config\/sources\.yaml:6: source "b" field "url": must use http or https/),
      expect.stringMatching(/^config\/sources\.yaml:10: source "c" field "id": is used twice/),
    ]);
  });

  it('points at YAML syntax errors by line', () => {
    expect(issuesOf('sources:\n  - id: a\n   name: [unclosed\n')[0]).toMatch(/^config\/sources\.yaml:\d+: YAML syntax/);
  });

  it('interpolates environment variables and names a missing one', () => {
    process.env.SD_TEST_ORIGIN = 'https://feeds.example';
    const [s] = parseSources('sources:\n  - id: a\n    name: A\n    url: ${SD_TEST_ORIGIN}/rss\n', 'f.yaml');
    expect(s!.url).toBe('https://feeds.example/rss');
    expect(issuesOf('sources:\n  - id: a\n    name: A\n    url: ${SD_TEST_UNSET_VAR}/rss\n')[0]).toContain('SD_TEST_UNSET_VAR}, but that environment variable is not set');
  });
});
