import { type CastOptions, type ColumnType, type RawValue } from '../types';
import { compileDateFormat } from './date-format.util';
import { createDateTimeFields, type DateTimeFields } from './date-time-fields';
import { createCaster } from './index';

/** Formats made only of literals and fixed-width numbers, which get the fixed-width parser. */
const FIXED_WIDTH_FORMATS: [string, string][] = [
  ['yyyy-MM-dd HH:mm:ss', '2021-03-05 10:11:12'],
  ["yyyy-MM-dd'T'HH:mm:ss", '2021-03-05T10:11:12'],
  ['dd/MM/yyyy', '05/03/2021'],
  ['yyyyMMddHHmmss', '20210305101112'],
  ['yy-MM-dd', '21-03-05'],
  ['yyyy-MM-dd HH:mm:ss.SSS', '2021-03-05 10:11:12.345'],
  ['yyyy-MM-dd HH:mm:ss.SSSSSSSSS', '2021-12-31 23:59:59.999999951'],
  ["dd.MM.yyyy 'um' HH:mm", '05.03.2021 um 10:11'],
];

/** Characters put in place of each character of a valid value. */
const REPLACEMENTS = ['0', '9', 'x', ' ', '-', '+', '/', ':', '.', 'T', '\u0660', '\uff15'];

/** Lists the values one edit away from `valid`: a character replaced, removed or added, and blanks around it. */
function editsOf(valid: string): string[] {
  const edits = [valid, '', ` ${valid}`, `${valid} `, `${valid}0`, `0${valid}`];

  for (let index = 0; index < valid.length; index++) {
    edits.push(valid.slice(0, index) + valid.slice(index + 1));

    for (const replacement of REPLACEMENTS) {
      edits.push(valid.slice(0, index) + replacement + valid.slice(index + 1));
      edits.push(valid.slice(0, index) + replacement + valid.slice(index));
    }
  }

  return edits;
}

function parseWith(format: string, fixedWidth: boolean, text: string): { problem: string | null; fields: DateTimeFields } {
  const fields = createDateTimeFields();
  const problem = compileDateFormat(format, fixedWidth).parse(text, fields);

  return { problem, fields };
}

describe('fixed-width date formats', () => {
  it.each(FIXED_WIDTH_FORMATS)('%s parses one-edit values like the general parser', (format, valid) => {
    for (const text of editsOf(valid)) {
      const fixed = parseWith(format, true, text);
      const general = parseWith(format, false, text);

      expect({ text, problem: fixed.problem }).toEqual({ text, problem: general.problem });

      if (general.problem === null) {
        expect({ text, fields: fixed.fields }).toEqual({ text, fields: general.fields });
      }
    }
  });

  it('reads a valid value into its fields', () => {
    const { problem, fields } = parseWith('yyyy-MM-dd HH:mm:ss.SSS', true, '2021-03-05 10:11:12.345');

    expect(problem).toBeNull();
    expect(fields).toEqual({ ...createDateTimeFields(), year: 2021, month: 3, day: 5, hour: 10, minute: 11, second: 12, micro: 345_000, hasTime: true });
  });

  it('rejects a value of another length', () => {
    expect(parseWith('yyyy-MM-dd', true, '2021-03-5').problem).toBe('does not match format "yyyy-MM-dd"');
    expect(parseWith('yyyy-MM-dd', true, '2021-03-051').problem).toBe('does not match format "yyyy-MM-dd"');
  });
});

type Row = [ColumnType, RawValue, string | null, CastOptions?];
type FailRow = [ColumnType, RawValue, string, CastOptions?];

const FLIGHTS = { format: 'yyyy-MM-dd HH:mm:ss' };

describe('casts with a fixed-width format', () => {
  it.each<Row>([
    ['timestamp', '2008-01-03 05:40:00', '2008-01-03T05:40:00', FLIGHTS],
    ['timestamp', ' 2008-01-03 05:40:00\t', '2008-01-03T05:40:00', FLIGHTS],
    ['timestamp', '0001-01-01 00:00:00', '0001-01-01T00:00:00', FLIGHTS],
    ['timestamp', '0999-09-09 09:09:09', '0999-09-09T09:09:09', FLIGHTS],
    ['timestamp', '9999-12-31 23:59:59', '9999-12-31T23:59:59', FLIGHTS],
    ['timestamp', '2020-02-29 12:00:00', '2020-02-29T12:00:00', FLIGHTS],
    ['timestamp', '', null, FLIGHTS],
    ['timestamp', '   ', null, FLIGHTS],
    ['timestamp', null, null, FLIGHTS],
    ['timestamp', '2021-03-05 10:11:12.5', '2021-03-05T10:11:12.5', { format: 'yyyy-MM-dd HH:mm:ss.S' }],
    ['timestamp', '2021-12-31 23:59:59.9999996', '2022-01-01T00:00:00', { format: 'yyyy-MM-dd HH:mm:ss.SSSSSSS' }],
    ['date', '2008-01-03 05:40:00', '2008-01-03', FLIGHTS],
    ['date', '0042-01-03 05:40:00', '0042-01-03', FLIGHTS],
    ['timestamptz', '2008-01-03 05:40:00', '2008-01-03T05:40:00Z', FLIGHTS],
    ['timestamptz', '2008-01-03 05:40:00', '2008-01-03T04:40:00Z', { ...FLIGHTS, timezone: 'Europe/Paris' }],
    ['timestamptz', '2008-01-01 00:30:00', '2007-12-31T23:30:00Z', { ...FLIGHTS, timezone: 'Europe/Paris' }],
  ])('%s reads %p as %p (%p)', (type, input, expected, options = {}) => {
    expect(createCaster(type, options)(input)).toEqual({ ok: true, value: expected });
  });

  it.each<FailRow>([
    ['timestamp', '2021-02-30 10:00:00', 'day 30 does not exist in February'],
    ['timestamp', '2021-02-29 10:00:00', 'February 29 does not exist in 2021 (not a leap year)'],
    ['timestamp', '2021-13-01 10:00:00', 'month 13 does not exist'],
    ['timestamp', '2021-00-01 10:00:00', 'month 0 does not exist'],
    ['timestamp', '2021-01-00 10:00:00', 'day 0 does not exist'],
    ['timestamp', '0000-01-01 10:00:00', 'year 0 is out of range (1 to 9999)'],
    ['timestamp', '2021-03-05 24:00:00', 'hour 24 is out of range (0 to 23)'],
    ['timestamp', '2021-03-05 10:60:00', 'minute 60 is out of range (0 to 59)'],
    ['timestamp', '2021-03-05 10:11:60', 'second 60 is out of range'],
    ['timestamp', '+2021-03-05 10:11:12', 'does not match format "yyyy-MM-dd HH:mm:ss"'],
    ['timestamp', '2021-3-05 10:11:12', 'does not match format'],
    ['timestamp', '2021-03-05  10:11:12', 'does not match format'],
    ['timestamp', '2021-03-05T10:11:12', 'does not match format'],
    ['timestamp', '2021-03-05 10:11:1x', 'does not match format'],
    ['timestamp', '2021-03-05 10:11:-1', 'does not match format'],
    ['timestamp', '２０２１-03-05 10:11:12', 'does not match format'],
    ['timestamp', '9999-12-31 23:59:59.9999996', 'timestamp is out of range', { format: 'yyyy-MM-dd HH:mm:ss.SSSSSSS' }],
  ])('%s rejects %p', (type, input, reason, options = FLIGHTS) => {
    const result = createCaster(type, options)(input);

    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });

  it.each<[ColumnType, CastOptions]>([
    ['timestamp', FLIGHTS],
    ['timestamptz', { ...FLIGHTS, timezone: 'Europe/Paris' }],
    ['date', {}],
    ['timestamp', {}],
  ])('%s gives repeated values the result of a fresh caster (%p)', (type, options) => {
    const values = [
      '2021-03-05 10:11:12',
      '2021-03-05 10:11:12',
      ' 2021-03-05 10:11:12',
      '2021-03-05 10:11:13',
      '2021-03-05 10:11:12',
      '2021-02-30 10:00:00',
      '2021-02-30 10:00:00',
      'not a date',
      '2021-03-05 10:11:12',
      '2021-03-28 02:30:00',
      '2021-03-28 02:30:00',
      '',
      '2021-03-28 02:30:00',
    ];
    const caster = createCaster(type, options);

    for (const value of values) {
      expect({ value, result: caster(value) }).toEqual({ value, result: createCaster(type, options)(value) });
    }
  });
});
