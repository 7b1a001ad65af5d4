import { type CastOptions, type ColumnType, type RawValue } from '../types';
import { createCaster } from './index';

type Row = [ColumnType, RawValue, string | null, CastOptions?];
type FailRow = [ColumnType, RawValue, string, CastOptions?];

function expectCast(type: ColumnType, input: RawValue, expected: string | null, options: CastOptions): void {
  expect(createCaster(type, options)(input)).toEqual({ ok: true, value: expected });
}

function expectFailure(type: ColumnType, input: RawValue, reason: string, options: CastOptions): void {
  const result = createCaster(type, options)(input);

  expect(result.ok).toBe(false);
  expect(result.ok ? '' : result.reason).toContain(reason);
}

describe('ISO 8601 without a format', () => {
  it.each<Row>([
    ['date', '2021-03-05', '2021-03-05'],
    ['date', ' 2021-03-05 ', '2021-03-05'],
    ['date', '2020-02-29', '2020-02-29'],
    ['date', '2000-02-29', '2000-02-29'],
    ['date', '0001-01-01', '0001-01-01'],
    ['date', '9999-12-31', '9999-12-31'],
    ['date', '2021-03-05T23:30:00-05:00', '2021-03-05'],
    ['date', '', null],
    ['date', '  ', null],
    ['date', null, null],
    ['timestamp', '2021-03-05 10:11:12', '2021-03-05T10:11:12'],
    ['timestamp', '2021-03-05T10:11', '2021-03-05T10:11:00'],
    ['timestamp', '2021-03-05t10:11:12.5', '2021-03-05T10:11:12.5'],
    ['timestamp', '2021-03-05T10:11:12.000100', '2021-03-05T10:11:12.0001'],
    ['timestamp', '2021-03-05T10:11:12.000000', '2021-03-05T10:11:12'],
    ['timestamp', '2021-03-05', '2021-03-05T00:00:00'],
    ['timestamp', '2021-03-05T10:11:12+02:00', '2021-03-05T10:11:12'],
    ['timestamp', '2021-03-28 02:30', '2021-03-28T02:30:00', { timezone: 'Europe/Paris' }],
    ['timestamp', '2021-12-31T23:59:59.9999996', '2022-01-01T00:00:00'],
    ['timestamptz', '2023-09-26T04:21:10.645527-07:00', '2023-09-26T11:21:10.645527Z'],
    ['timestamptz', '2023-11-06T09:05:00-08:00', '2023-11-06T17:05:00Z'],
    ['timestamptz', '2023-11-06T17:05:00Z', '2023-11-06T17:05:00Z'],
    ['timestamptz', '2023-11-06 18:05:00+01:00', '2023-11-06T17:05:00Z'],
    ['timestamptz', '2023-11-06 18:05:00 +01:00', '2023-11-06T17:05:00Z'],
    ['timestamptz', '2023-11-06T22:35:00+0530', '2023-11-06T17:05:00Z'],
    ['timestamptz', '2023-11-06T19:05:00+02', '2023-11-06T17:05:00Z'],
    ['timestamptz', '2023-11-06T17:05:00-00:00', '2023-11-06T17:05:00Z'],
    ['timestamptz', '2023-11-06T17:05:00z', '2023-11-06T17:05:00Z'],
    ['timestamptz', '2021-01-01T00:00:00.1234565Z', '2021-01-01T00:00:00.123457Z'],
    ['timestamptz', '2021-12-31T23:59:59.9999999Z', '2022-01-01T00:00:00Z'],
    ['timestamptz', '2021-01-01T00:30:00+01:00', '2020-12-31T23:30:00Z'],
    ['timestamptz', '2021-06-01 12:00', '2021-06-01T12:00:00Z'],
    ['timestamptz', '2021-06-01', '2021-06-01T00:00:00Z'],
  ])('%s reads %p as %p', (type, input, expected, options = {}) => {
    expectCast(type, input, expected, options);
  });

  it.each<FailRow>([
    ['date', '2021-02-29', 'February 29 does not exist in 2021 (not a leap year)'],
    ['date', '1900-02-29', 'February 29 does not exist in 1900 (not a leap year)'],
    ['date', '2021-04-31', 'day 31 does not exist in April'],
    ['date', '2021-06-31', 'day 31 does not exist in June'],
    ['date', '2021-01-32', 'day 32 does not exist in January'],
    ['date', '2021-01-00', 'day 0 does not exist'],
    ['date', '2021-13-01', 'month 13 does not exist'],
    ['date', '2021-00-10', 'month 0 does not exist'],
    ['date', '0000-01-01', 'year 0 is out of range'],
    ['date', '2021-3-5', 'not an ISO 8601 date'],
    ['date', '20210305', 'not an ISO 8601 date'],
    ['date', '05/03/2021', 'not an ISO 8601 date'],
    ['date', 'yesterday', 'not an ISO 8601 date'],
    ['date', 20210305, 'a number is not a date; set format epoch_s or epoch_ms'],
    ['date', true, 'a boolean is not a date'],
    ['timestamp', '2021-03-05T24:00:00', 'hour 24 is out of range'],
    ['timestamp', '2021-03-05T10:60', 'minute 60 is out of range'],
    ['timestamp', '2021-03-05T10:59:60', 'leap seconds are not supported'],
    ['timestamp', '2021-03-05T10', 'not an ISO 8601 date'],
    ['timestamp', '2021-03-05T10:11:12.', 'not an ISO 8601 date'],
    ['timestamp', '2021-03-05 10:11:12 x', 'not an ISO 8601 date'],
    ['timestamptz', '2021-03-05T10:11:12+1:00', 'not an ISO 8601 date'],
    ['timestamptz', '2021-03-05T10:11:12+16:00', 'not an ISO 8601 date'],
    ['timestamptz', '2021-03-05T10:11:12+01:60', 'not an ISO 8601 date'],
    ['timestamptz', '0001-01-01T00:30:00+01:00', 'out of range (years 1 to 9999)'],
    ['timestamptz', '9999-12-31T23:30:00-01:00', 'out of range (years 1 to 9999)'],
  ])('%s rejects %p', (type, input, reason, options = {}) => {
    expectFailure(type, input, reason, options);
  });
});

describe('time zones for values without an offset', () => {
  it.each<Row>([
    ['timestamptz', '2021-06-01 12:00', '2021-06-01T10:00:00Z', { timezone: 'Europe/Paris' }],
    ['timestamptz', '2021-01-15 12:00', '2021-01-15T11:00:00Z', { timezone: 'Europe/Paris' }],
    ['timestamptz', '2021-01-15T12:00:00+05:00', '2021-01-15T07:00:00Z', { timezone: 'Europe/Paris' }],
    // Europe/Paris moves from +01:00 to +02:00 at 02:00 local on 2021-03-28.
    ['timestamptz', '2021-03-28 01:59:59', '2021-03-28T00:59:59Z', { timezone: 'Europe/Paris' }],
    ['timestamptz', '2021-03-28 03:00', '2021-03-28T01:00:00Z', { timezone: 'Europe/Paris' }],
    // Back from +02:00 to +01:00 at 03:00 local on 2021-10-31: 02:30 happens twice, the earlier one wins.
    ['timestamptz', '2021-10-31 02:30', '2021-10-31T00:30:00Z', { timezone: 'Europe/Paris' }],
    ['timestamptz', '2021-10-31 02:00', '2021-10-31T00:00:00Z', { timezone: 'Europe/Paris' }],
    ['timestamptz', '2021-10-31 01:59:59', '2021-10-30T23:59:59Z', { timezone: 'Europe/Paris' }],
    ['timestamptz', '2021-10-31 03:00', '2021-10-31T02:00:00Z', { timezone: 'Europe/Paris' }],
    ['timestamptz', '2021-10-31T02:30:00+01:00', '2021-10-31T01:30:00Z', { timezone: 'Europe/Paris' }],
    // America/New_York: -05:00 to -04:00 at 02:00 on 2021-03-14, back at 02:00 on 2021-11-07.
    ['timestamptz', '2021-03-14 01:59', '2021-03-14T06:59:00Z', { timezone: 'America/New_York' }],
    ['timestamptz', '2021-03-14 03:00', '2021-03-14T07:00:00Z', { timezone: 'America/New_York' }],
    ['timestamptz', '2021-11-07 01:30', '2021-11-07T05:30:00Z', { timezone: 'America/New_York' }],
    ['timestamptz', '2021-11-07 02:30', '2021-11-07T07:30:00Z', { timezone: 'America/New_York' }],
    ['timestamptz', '2021-07-04 12:00:00.25', '2021-07-04T16:00:00.25Z', { timezone: 'America/New_York' }],
    ['timestamptz', '2021-01-01 05:30', '2021-01-01T00:00:00Z', { timezone: 'Asia/Kolkata' }],
    ['timestamptz', '2021-01-01 10:00', '2020-12-31T21:00:00Z', { timezone: 'Pacific/Auckland' }],
    ['timestamptz', '2021-01-01 10:00', '2021-01-01T10:00:00Z', { timezone: 'UTC' }],
    // Paris kept local mean time (+00:09:21) until 1911.
    ['timestamptz', '1900-01-01 00:00', '1899-12-31T23:50:39Z', { timezone: 'Europe/Paris' }],
    ['timestamp', '2021-10-31 02:30', '2021-10-31T02:30:00', { timezone: 'Europe/Paris' }],
    ['date', '2021-03-28', '2021-03-28', { timezone: 'Europe/Paris' }],
  ])('%s reads %p as %p (%p)', (type, input, expected, options = {}) => {
    expectCast(type, input, expected, options);
  });

  it.each<FailRow>([
    ['timestamptz', '2021-03-28 02:30', '2021-03-28 02:30 does not exist in Europe/Paris (daylight-saving gap)', { timezone: 'Europe/Paris' }],
    ['timestamptz', '2021-03-28 02:00', '2021-03-28 02:00 does not exist in Europe/Paris (daylight-saving gap)', { timezone: 'Europe/Paris' }],
    ['timestamptz', '2021-03-28 02:59:59', '2021-03-28 02:59:59 does not exist in Europe/Paris', { timezone: 'Europe/Paris' }],
    ['timestamptz', '2021-03-14 02:30', '2021-03-14 02:30 does not exist in America/New_York (daylight-saving gap)', { timezone: 'America/New_York' }],
    ['timestamptz', '28/03/2021 02:15', '2021-03-28 02:15 does not exist in Europe/Paris', { timezone: 'Europe/Paris', format: 'dd/MM/yyyy HH:mm' }],
  ])('%s rejects %p', (type, input, reason, options = {}) => {
    expectFailure(type, input, reason, options);
  });

  it('rejects an unknown zone at creation', () => {
    expect(() => createCaster('timestamptz', { timezone: 'Mars/Olympus_Mons' })).toThrow(
      'Unknown time zone "Mars/Olympus_Mons"',
    );
  });

  it('converts a whole year of hours in Paris and back', () => {
    const caster = createCaster('timestamptz', { timezone: 'Europe/Paris' });
    const formatter = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'Europe/Paris',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    const start = Date.UTC(2021, 0, 1);
    let mismatches = 0;

    for (let hour = 0; hour < 24 * 365; hour++) {
      const instant = new Date(start + hour * 3_600_000 + 1_234_000);
      const local = formatter.format(instant).replace(' ', 'T');
      const result = caster(local);
      const expected = instant.toISOString().replace('.000Z', 'Z');
      const isRepeatedHour = local.startsWith('2021-10-31T02:');

      // The second pass through the repeated hour reads as the first one.
      if (!result.ok || (result.value !== expected && !isRepeatedHour)) {
        mismatches++;
      }
    }

    expect(mismatches).toBe(0);
  });
});

describe('date-fns formats', () => {
  it.each<Row>([
    ['date', '03/04/2021', '2021-04-03', { format: 'dd/MM/yyyy' }],
    ['date', '04/03/2021', '2021-04-03', { format: 'MM/dd/yyyy' }],
    ['date', '3/4/2021', '2021-04-03', { format: 'd/M/yyyy' }],
    ['date', '03/04/2021', '2021-04-03', { format: 'd/M/yyyy' }],
    ['date', '29.02.2020', '2020-02-29', { format: 'dd.MM.yyyy' }],
    ['date', 'Jan 1 2000', '2000-01-01', { format: 'MMM d yyyy' }],
    ['date', 'DEC 31 2010', '2010-12-31', { format: 'MMM d yyyy' }],
    ['date', 'Sept 5 2000', '2000-09-05', { format: 'MMM d yyyy' }],
    ['date', 'February 29, 2020', '2020-02-29', { format: 'MMMM d, yyyy' }],
    ['date', '05-Mar-21', '2021-03-05', { format: 'dd-MMM-yy' }],
    ['date', '05-Mar-68', '2068-03-05', { format: 'dd-MMM-yy' }],
    ['date', '05-Mar-69', '1969-03-05', { format: 'dd-MMM-yy' }],
    ['date', '20210305', '2021-03-05', { format: 'yyyyMMdd' }],
    ['date', '5 3 21', '2021-03-05', { format: 'd M yy' }],
    ['date', '2021-03-05 10:11:12', '2021-03-05', { format: 'yyyy-MM-dd HH:mm:ss' }],
    ['timestamp', '2015/01/01 01:00:00', '2015-01-01T01:00:00', { format: 'yyyy/MM/dd HH:mm:ss' }],
    ['timestamp', '3/5/2021 1:05 PM', '2021-03-05T13:05:00', { format: 'M/d/yyyy h:mm a' }],
    ['timestamp', '3/5/2021 12:00 AM', '2021-03-05T00:00:00', { format: 'M/d/yyyy h:mm a' }],
    ['timestamp', '3/5/2021 12:30 pm', '2021-03-05T12:30:00', { format: 'M/d/yyyy h:mm a' }],
    ['timestamp', '3/5/2021 11:59:59 p.m.', '2021-03-05T23:59:59', { format: 'M/d/yyyy h:mm:ss aaaa' }],
    ['timestamp', '2021-03-05 9:07', '2021-03-05T09:07:00', { format: 'yyyy-MM-dd H:mm' }],
    ['timestamp', '20210305101112', '2021-03-05T10:11:12', { format: 'yyyyMMddHHmmss' }],
    ['timestamp', '2021-03-05 10:11:12.123456', '2021-03-05T10:11:12.123456', { format: 'yyyy-MM-dd HH:mm:ss.SSSSSS' }],
    ['timestamp', '2021-03-05 10:11:12.1', '2021-03-05T10:11:12.1', { format: 'yyyy-MM-dd HH:mm:ss.S' }],
    ['timestamp', '2021-03-05 10:11:12.123456789', '2021-03-05T10:11:12.123457', { format: 'yyyy-MM-dd HH:mm:ss.SSSSSSSSS' }],
    ['timestamp', "2021-03-05 10 o'clock", '2021-03-05T10:00:00', { format: "yyyy-MM-dd HH 'o''clock'" }],
    ['timestamp', '2021-03-05T10:11:12', '2021-03-05T10:11:12', { format: "yyyy-MM-dd'T'HH:mm:ss" }],
    ['timestamp', 'Fri, 05 Mar 2021 10:11:12', '2021-03-05T10:11:12', { format: 'EEE, dd MMM yyyy HH:mm:ss' }],
    ['timestamp', 'Friday 05 March 2021', '2021-03-05T00:00:00', { format: 'EEEE dd MMMM yyyy' }],
    ['timestamptz', '2021-03-05T10:11:12.123+01:00', '2021-03-05T09:11:12.123Z', { format: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX" }],
    ['timestamptz', '2021-03-05T10:11:12Z', '2021-03-05T10:11:12Z', { format: "yyyy-MM-dd'T'HH:mm:ssXXX" }],
    ['timestamptz', '2021-03-05 10:11 +01', '2021-03-05T09:11:00Z', { format: 'yyyy-MM-dd HH:mm X' }],
    ['timestamptz', '2021-03-05 10:11 +0130', '2021-03-05T08:41:00Z', { format: 'yyyy-MM-dd HH:mm X' }],
    ['timestamptz', '2021-03-05 10:11 -0100', '2021-03-05T11:11:00Z', { format: 'yyyy-MM-dd HH:mm XX' }],
    ['timestamptz', 'Fri, 05 Mar 2021 10:11:12 +0000', '2021-03-05T10:11:12Z', { format: 'EEE, dd MMM yyyy HH:mm:ss xx' }],
    ['timestamptz', '05/03/2021 10:11', '2021-03-05T09:11:00Z', { format: 'dd/MM/yyyy HH:mm', timezone: 'Europe/Paris' }],
  ])('%s reads %p as %p (%p)', (type, input, expected, options = {}) => {
    expectCast(type, input, expected, options);
  });

  it.each<FailRow>([
    ['date', '3/4/2021', 'does not match format "dd/MM/yyyy"', { format: 'dd/MM/yyyy' }],
    ['date', '13/04/2021', 'month 13 does not exist', { format: 'MM/dd/yyyy' }],
    ['date', '31/04/2021', 'day 31 does not exist in April', { format: 'dd/MM/yyyy' }],
    ['date', '29/02/2021', 'February 29 does not exist in 2021', { format: 'dd/MM/yyyy' }],
    ['date', '2021-03-05', 'does not match format "dd/MM/yyyy"', { format: 'dd/MM/yyyy' }],
    ['date', '03/04/2021x', 'does not match format', { format: 'dd/MM/yyyy' }],
    ['date', 'Foo 1 2000', 'does not match format', { format: 'MMM d yyyy' }],
    ['timestamp', '3/5/2021 13:05 PM', 'hour 13 is out of range for a 12-hour clock', { format: 'M/d/yyyy h:mm a' }],
    ['timestamp', '3/5/2021 0:05 AM', 'hour 0 is out of range for a 12-hour clock', { format: 'M/d/yyyy h:mm a' }],
    ['timestamp', '3/5/2021 1:05 XM', 'does not match format', { format: 'M/d/yyyy h:mm a' }],
    ['timestamp', 'Thu, 05 Mar 2021 10:11:12', 'the weekday Thursday does not match the date, a Friday', { format: 'EEE, dd MMM yyyy HH:mm:ss' }],
    ['timestamptz', '2021-03-05 10:11 Z', 'does not match format', { format: 'yyyy-MM-dd HH:mm xx' }],
    ['timestamptz', '2021-03-05 10:11 +01', 'does not match format', { format: 'yyyy-MM-dd HH:mm XXX' }],
  ])('%s rejects %p (%p)', (type, input, reason, options = {}) => {
    expectFailure(type, input, reason, options);
  });

  it.each<[string, string]>([
    ['DD/MM/yyyy', 'D is the day of the year'],
    ['dd/MM/YYYY', 'Y is the week-numbering year'],
    ['yyyy-MM-ddTHH:mm', "quote literal text, as in yyyy-MM-dd'T'HH:mm:ss"],
    ['MM/dd', 'it has no y (year) token'],
    ['yyyy', 'it has no M (month), d (day) token'],
    ['hh:mm yyyy-MM-dd', 'needs an AM/PM marker'],
    ['HH:mm a yyyy-MM-dd', 'needs the 12-hour hour'],
    ['HH hh a yyyy-MM-dd', 'both a 24-hour (H) and a 12-hour (h) hour'],
    ['yyyy-MM-dd Q', 'token "Q" is not supported'],
    ['yyy-MM-dd', 'token "yyy" is not supported'],
    ['yyyy-MMMMM-dd', 'token "MMMMM" is not supported'],
    ['yyyy-MM-dd HH:mm Z', 'use X, XX or XXX'],
    ["yyyy-MM-dd 'at", 'a quoted literal is not closed'],
    ['yyyy-MM-dd yyyy', 'a field appears twice'],
    ['MMM MM dd yyyy', 'a field appears twice'],
    ['  ', 'the format is empty'],
  ])('rejects format %p at creation', (format, message) => {
    expect(() => createCaster('date', { format })).toThrow(message);
  });
});

describe('Unix time', () => {
  it.each<Row>([
    ['timestamptz', '1521475500', '2018-03-19T16:05:00Z', { format: 'epoch_s' }],
    ['timestamptz', '1700000000', '2023-11-14T22:13:20Z', { format: 'epoch_s' }],
    ['timestamptz', '1521475500000', '2018-03-19T16:05:00Z', { format: 'epoch_ms' }],
    ['timestamptz', '1700000000123', '2023-11-14T22:13:20.123Z', { format: 'epoch_ms' }],
    ['timestamptz', '1700000000.5', '2023-11-14T22:13:20.5Z', { format: 'epoch_s' }],
    ['timestamptz', '1700000000.1234567', '2023-11-14T22:13:20.123457Z', { format: 'epoch_s' }],
    ['timestamptz', '1700000000123.456', '2023-11-14T22:13:20.123456Z', { format: 'epoch_ms' }],
    ['timestamptz', '0', '1970-01-01T00:00:00Z', { format: 'epoch_s' }],
    ['timestamptz', '-1', '1969-12-31T23:59:59Z', { format: 'epoch_s' }],
    ['timestamptz', '-1.5', '1969-12-31T23:59:58.5Z', { format: 'epoch_s' }],
    ['timestamptz', '-1', '1969-12-31T23:59:59.999Z', { format: 'epoch_ms' }],
    ['timestamptz', '+86400', '1970-01-02T00:00:00Z', { format: 'epoch_s' }],
    ['timestamptz', '-62135596800', '0001-01-01T00:00:00Z', { format: 'epoch_s' }],
    ['timestamptz', '253402300799', '9999-12-31T23:59:59Z', { format: 'epoch_s' }],
    ['timestamptz', 1521475500, '2018-03-19T16:05:00Z', { format: 'epoch_s' }],
    ['timestamptz', 1700000000123, '2023-11-14T22:13:20.123Z', { format: 'epoch_ms' }],
    ['timestamptz', 1521475500n, '2018-03-19T16:05:00Z', { format: 'epoch_s' }],
    ['timestamptz', -1.5, '1969-12-31T23:59:58.5Z', { format: 'epoch_s' }],
    ['timestamptz', '', null, { format: 'epoch_s' }],
    ['timestamptz', null, null, { format: 'epoch_ms' }],
    ['timestamp', '1521475500', '2018-03-19T16:05:00', { format: 'epoch_s' }],
    ['timestamp', '1521475500', '2018-03-20T01:05:00', { format: 'epoch_s', timezone: 'Asia/Tokyo' }],
    ['date', '1521475500', '2018-03-19', { format: 'epoch_s' }],
    ['date', '1521475500', '2018-03-20', { format: 'epoch_s', timezone: 'Asia/Tokyo' }],
    ['date', '1521475500000', '2018-03-19', { format: 'epoch_ms' }],
  ])('%s reads %p as %p (%p)', (type, input, expected, options = {}) => {
    expectCast(type, input, expected, options);
  });

  it.each<FailRow>([
    // Milliseconds read as seconds land near the year 50000: out of range, never silently loaded.
    ['timestamptz', '1521475500000', 'out of range (years 1 to 9999); check that the unit is seconds', { format: 'epoch_s' }],
    ['timestamptz', '253402300800', 'out of range', { format: 'epoch_s' }],
    ['timestamptz', '-62135596801', 'out of range', { format: 'epoch_s' }],
    ['timestamptz', '1234567890123456', 'out of range', { format: 'epoch_ms' }],
    ['timestamptz', 9_007_199_254_740_993n, 'out of range', { format: 'epoch_ms' }],
    ['timestamptz', 'abc', 'not a Unix time in seconds', { format: 'epoch_s' }],
    ['timestamptz', '1e9', 'not a Unix time in milliseconds', { format: 'epoch_ms' }],
    ['timestamptz', '.', 'not a Unix time', { format: 'epoch_s' }],
    ['timestamptz', '2021-01-01', 'not a Unix time', { format: 'epoch_s' }],
    ['timestamptz', Number.NaN, 'finite number', { format: 'epoch_s' }],
    ['timestamptz', true, 'a boolean is not a Unix time', { format: 'epoch_s' }],
  ])('%s rejects %p (%p)', (type, input, reason, options = {}) => {
    expectFailure(type, input, reason, options);
  });

  it('reads seconds as 2018, not 1970', () => {
    const result = createCaster('timestamptz', { format: 'epoch_s' })('1521475500');

    expect(result.ok).toBe(true);
    expect(String(result.ok ? result.value : '').slice(0, 4)).toBe('2018');
  });
});
