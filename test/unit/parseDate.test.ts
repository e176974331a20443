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
    ['military zone A is UT−1 (RFC 822 as written)', 'Thu, 01 Jan 2004 19:48:21 A', '2004-01-01T20:48:21.000Z'],
    ['military zone M is UT−12', 'Thu, 01 Jan 2004 19:48:21 M', '2004-01-02T07:48:21.000Z'],
    ['military zone N is UT+1', 'Thu, 01 Jan 2004 19:48:21 N', '2004-01-01T18:48:21.000Z'],
    ['military zone Y is UT+12', 'Thu, 01 Jan 2004 19:48:21 Y', '2004-01-01T07:48:21.000Z'],
    ['military zone Z', 'Thu, 01 Jan 2004 19:48:21 Z', '2004-01-01T19:48:21.000Z'],
    ['RFC 822 ADT', 'Thu, 01 Jan 2004 19:48:21 ADT', '2004-01-01T22:48:21.000Z'],
    ['RFC 822 ET', 'Thu, 01 Jan 2004 19:48:21 ET', '2004-01-02T00:48:21.000Z'],
    ['two-digit year 49 is 2049', '01 Jan 49 00:00:00 GMT', '2049-01-01T00:00:00.000Z'],
    ['two-digit year 50 is 1950', '01 Jan 50 00:00:00 GMT', '1950-01-01T00:00:00.000Z'],
    ['W3C-DTF year', '2003', '2003-01-01T00:00:00.000Z'],
    ['W3C-DTF year and month', '2003-12', '2003-12-01T00:00:00.000Z'],
    ['W3C-DTF minutes, no seconds', '2003-12-31T10:14+01:00', '2003-12-31T09:14:00.000Z'],
    ['ISO basic format', '20031231T101455Z', '2003-12-31T10:14:55.000Z'],
    ['ISO week date', '2004-W53-6', '2005-01-01T00:00:00.000Z'],
    ['ISO week date, basic', '2004W536', '2005-01-01T00:00:00.000Z'],
    ['ISO week without a day is its Monday', '2009-W01', '2008-12-29T00:00:00.000Z'],
    ['ISO ordinal date', '2004-366', '2004-12-31T00:00:00.000Z'],
    ['ISO ordinal date, basic, with time', '2003335T10:00Z', '2003-12-01T10:00:00.000Z'],
    ['asctime', 'Thu Jan  1 19:48:21 2004', '2004-01-01T19:48:21.000Z'],
    ['JavaScript Date#toString', 'Thu Jan 01 2004 19:48:21 GMT+0100 (CET)', '2004-01-01T18:48:21.000Z'],
    ['epoch seconds', '1073000000', '2004-01-01T23:33:20.000Z'],
  ])('%s: %s', (_name, input, expected) => {
    expect(parseDate(input)).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['words', 'not a date'],
    ['31 February', '2023-02-31T00:00:00Z'],
    ['placeholder year 1', '0001-01-01T00:00:00Z'],
    ['null', null],
    ['week 53 of a year with 52', '2003-W53-1'],
    ['week 0', '2004-W00-1'],
    ['day 366 of a common year', '2003-366'],
    ['a bare number Date.parse would read as a year', '1'],
    ['text Date.parse would guess at', 'Tuesday 12'],
    ['month 13', '2003-13'],
    ['30 February in words', '30 Feb 2004 10:00:00 GMT'],
  ])('returns null for %s', (_name, input) => {
    expect(parseDate(input)).toBeNull();
  });
});
