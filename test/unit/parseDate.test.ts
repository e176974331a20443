import { describe, expect, it } from 'vitest';
import { parseDate } from '../../src/parse/parseDate.ts';

describe('parseDate', () => {
  it.each([
    ['RFC 822 with numeric zone', 'Mon, 06 Sep 2010 00:01:00 +0000', '2010-09-06T00:01:00.000Z'],
    ['RFC 822 with GMT', 'Tue, 10 Jun 2003 04:00:00 GMT', '2003-06-10T04:00:00.000Z'],
    ['RFC 822 with US zone name', 'Wed, 02 Oct 2002 08:00:00 EST', '2002-10-02T13:00:00.000Z'],
    ['RFC 822 with PDT', 'Wed, 02 Oct 2002 08:00:00 PDT', '2002-10-02T15:00:00.000Z'],
    ['no weekday', '02 Oct 2002 15:00:00 +0200', '2002-10-02T13:00:00.000Z'],
    ['wrong weekday is ignored', 'Fri, 06 Sep 2010 00:01:00 +0000', '2010-09-06T00:01:00.000Z'],
    ['no seconds', 'Mon, 06 Sep 2010 00:01 +0000', '2010-09-06T00:01:00.000Z'],
    ['two-digit year', 'Mon, 06 Sep 10 00:01:00 +0000', '2010-09-06T00:01:00.000Z'],
    ['"Sept" and a single-digit day', 'Mon, 6 Sept 2010 00:01:00 +0000', '2010-09-06T00:01:00.000Z'],
    ['zone with colon', 'Mon, 06 Sep 2010 02:01:00 +02:00', '2010-09-06T00:01:00.000Z'],
    ['GMT+offset', 'Mon, 06 Sep 2010 02:01:00 GMT+0200', '2010-09-06T00:01:00.000Z'],
    ['no zone means UTC', 'Mon, 06 Sep 2010 00:01:00', '2010-09-06T00:01:00.000Z'],
    ['ISO 8601 with Z', '2003-12-13T18:30:02Z', '2003-12-13T18:30:02.000Z'],
    ['ISO 8601 with offset and fraction', '2003-12-13T18:30:02.25+01:00', '2003-12-13T17:30:02.250Z'],
    ['ISO 8601 without zone', '2003-12-13T18:30:02', '2003-12-13T18:30:02.000Z'],
    ['ISO 8601 date only', '2003-12-13', '2003-12-13T00:00:00.000Z'],
    ['ISO with a space instead of T', '2003-12-13 18:30:02 +0000', '2003-12-13T18:30:02.000Z'],
    ['month first, 12-hour clock', 'January 2, 2006 3:04 PM', '2006-01-02T15:04:00.000Z'],
    ['surrounding whitespace', '  2003-12-13T18:30:02Z\n', '2003-12-13T18:30:02.000Z'],
  ])('%s: %s', (_name, input, expected) => {
    expect(parseDate(input)).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['words', 'not a date'],
    ['31 February', '2023-02-31T00:00:00Z'],
    ['placeholder year 1', '0001-01-01T00:00:00Z'],
    ['null', null],
  ])('returns null for %s', (_name, input) => {
    expect(parseDate(input)).toBeNull();
  });
});
