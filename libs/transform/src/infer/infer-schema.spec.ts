import { type CastOptions, type ColumnType, type InferredColumn, type RawValue } from '../types';
import { createCaster } from '../values/index';
import { type InferOptions, inferSchema } from './index';

/** Infers one column from its values. */
function inferColumn(values: RawValue[], options: InferOptions = {}): InferredColumn {
  return inferSchema({ columns: ['value'], rows: values.map((value) => [value]) }, options)[0];
}

function typeAndOptions(column: InferredColumn): [ColumnType, CastOptions] {
  return [column.inferredType, column.castOptions];
}

describe('inferSchema types', () => {
  it.each<[string, RawValue[], ColumnType, CastOptions]>([
    ['booleans in many spellings', ['true', 'FALSE', '1', '0', 'yes', 'No', 'Y', 'n', null], 'boolean', {}],
    ['t and f', ['t', 'f', 'T'], 'boolean', {}],
    ['JSON booleans', [true, false], 'boolean', {}],
    ['integers', ['1', '-50', '+7', '0', '42'], 'integer', {}],
    ['integers beyond 2^53', ['9007199254740993', '1234567890123456789', '-5'], 'integer', {}],
    ['64-bit bounds', ['9223372036854775807', '-9223372036854775808'], 'integer', {}],
    ['integers beyond 64 bits', ['9223372036854775808', '1'], 'numeric', {}],
    ['integers with thousands commas', ['1,234', '12,345,678', '7'], 'integer', { thousandsSeparator: ',' }],
    ['integers with thousands spaces', ['1 234', '12\u00a0345', '7'], 'integer', { thousandsSeparator: ' ' }],
    ['JSON integers', [1, 2, 3n], 'integer', {}],
    ['floats', ['1.5', '-0.25', '3', '1e3'], 'float', {}],
    ['decimals without a leading zero', ['.097', '.1', '.134'], 'float', {}],
    ['15 significant digits', ['0.123456789012345', '1.5'], 'float', {}],
    ['16 significant digits', ['0.1234567890123456', '1.5'], 'numeric', {}],
    ['trailing zeros that a double keeps', ['1469.250000', '1455.219971'], 'float', {}],
    ['decimal commas', ['1,1', '0,5', '-7,25'], 'float', { decimalSeparator: ',' }],
    ['decimal commas and thousands dots', ['1.234,5', '12,25'], 'float', { decimalSeparator: ',', thousandsSeparator: '.' }],
    ['JSON floats', [1.5, 2], 'float', {}],
    ['ISO dates', ['2021-01-01', '2020-02-29'], 'date', {}],
    ['ISO timestamps', ['2021-01-01 10:00:00', '2021-01-02T11:30:00.5', '2021-01-03'], 'timestamp', {}],
    ['ISO timestamps with offsets', ['2023-09-26T04:21:10.645527-07:00', '2023-11-06T17:05:00Z'], 'timestamptz', {}],
    ['named months', ['Jan 1 2000', 'Feb 1 2000', 'Dec 1 2010'], 'date', { format: 'MMM d yyyy' }],
    ['two-digit named days', ['Jan 01 2000', 'Feb 11 2000'], 'date', { format: 'MMM dd yyyy' }],
    ['spelled-out months', ['January 5, 2000', 'May 11, 2000'], 'date', { format: 'MMMM d, yyyy' }],
    ['slashed timestamps', ['2015/01/01 01:00:00', '2015/12/31 23:00:00'], 'timestamp', { format: 'yyyy/MM/dd HH:mm:ss' }],
    ['12-hour times', ['3/25/2021 1:05 PM', '12/1/2021 11:00 AM'], 'timestamp', { format: 'M/d/yyyy h:mm a' }],
    ['day-month-year with dashes', ['25-12-2021', '01-02-2021'], 'date', { format: 'dd-MM-yyyy' }],
    ['dotted German dates', ['24.12.2021', '01.02.2021'], 'date', { format: 'dd.MM.yyyy' }],
    ['dates with offsets in a format', ['2021/03/05 10:00 +01:00', '2021/03/06 10:00 -05:00'], 'timestamptz', { format: 'yyyy/MM/dd HH:mm XXX' }],
    ['codes with leading zeros', ['00501', '00544', '12345'], 'text', {}],
    ['decimals with a leading zero', ['007.5', '1.5'], 'text', {}],
    ['version numbers', ['3.6.0', '3.5.2'], 'text', {}],
    ['short dotted versions', ['1.2.21', '1.3.22'], 'text', {}],
    ['an impossible date', ['2021-02-30', '2021-01-01'], 'text', {}],
    ['mixed numbers and words', ['1', 'two'], 'text', {}],
    ['NaN and Infinity', ['NaN', '1.5', 'Infinity'], 'text', {}],
    ['JSON objects', [{ a: 1 }, [1, 2]], 'json', {}],
    ['JSON text', ['{"a": 1}', '[1, 2]'], 'json', {}],
    ['broken JSON text', ['{"a": 1}', '{oops}'], 'text', {}],
    ['plain words', ['rain', 'sun'], 'text', {}],
    ['nothing but nulls', [null, '', '  '], 'text', {}],
  ])('reads %s', (_label, values, type, castOptions) => {
    expect(typeAndOptions(inferColumn(values))).toEqual([type, castOptions]);
  });

  it('reads only 0 and 1 as integers, offering boolean', () => {
    const column = inferColumn(['0', '1', '1']);

    expect(column.inferredType).toBe('integer');
    expect(column.ambiguous).toBe(false);
    expect(column.alternatives).toEqual([{ type: 'boolean', castOptions: {} }]);
  });

  it('offers epoch seconds only as an alternative', () => {
    const column = inferColumn(['1521475500', '1700000000']);

    expect(column.inferredType).toBe('integer');
    expect(column.alternatives).toEqual([{ type: 'timestamptz', castOptions: { format: 'epoch_s' } }]);
  });

  it('offers epoch milliseconds only as an alternative', () => {
    const column = inferColumn(['1521475500000', '1700000000123']);

    expect(column.inferredType).toBe('integer');
    expect(column.alternatives).toEqual([{ type: 'timestamptz', castOptions: { format: 'epoch_ms' } }]);
  });

  it('offers no epoch for small integers', () => {
    expect(inferColumn(['1', '2']).alternatives).toEqual([]);
  });
});

describe('inferSchema ambiguity', () => {
  it('picks day-first from values that rule out month-first', () => {
    const column = inferColumn(['03/04/2021', '13/04/2021', '01/02/2021', '25/12/2021', '12/11/2021']);

    expect(typeAndOptions(column)).toEqual(['date', { format: 'dd/MM/yyyy' }]);
    expect(column.ambiguous).toBe(false);
  });

  it('picks month-first from values that rule out day-first', () => {
    const column = inferColumn(['04/03/2021', '04/13/2021']);

    expect(typeAndOptions(column)).toEqual(['date', { format: 'MM/dd/yyyy' }]);
    expect(column.ambiguous).toBe(false);
  });

  it('flags a date that both orders read', () => {
    const column = inferColumn(['01/02/2021']);

    expect(typeAndOptions(column)).toEqual(['date', { format: 'dd/MM/yyyy' }]);
    expect(column.ambiguous).toBe(true);
    expect(column.alternatives).toEqual([{ type: 'date', castOptions: { format: 'MM/dd/yyyy' } }]);
  });

  it('takes the preferred order when nothing settles it', () => {
    const column = inferColumn(['01/02/2021', '03/04/2021'], { preferredDateOrder: 'month-first' });

    expect(typeAndOptions(column)).toEqual(['date', { format: 'MM/dd/yyyy' }]);
    expect(column.ambiguous).toBe(true);
    expect(column.alternatives).toEqual([{ type: 'date', castOptions: { format: 'dd/MM/yyyy' } }]);
  });

  it('settles a date column from another column of the sample', () => {
    const columns = inferSchema({
      columns: ['ordered', 'shipped'],
      rows: [
        ['01/02/2021', '02/02/2021'],
        ['03/04/2021', '04/13/2021'],
      ],
    });

    expect(columns.map(typeAndOptions)).toEqual([
      ['date', { format: 'MM/dd/yyyy' }],
      ['date', { format: 'MM/dd/yyyy' }],
    ]);
    expect(columns[0].ambiguous).toBe(false);
    expect(columns[0].alternatives).toEqual([{ type: 'date', castOptions: { format: 'dd/MM/yyyy' } }]);
  });

  it('flags comma groups that may be thousands or decimals', () => {
    const column = inferColumn(['1,234', '12,345']);

    expect(typeAndOptions(column)).toEqual(['integer', { thousandsSeparator: ',' }]);
    expect(column.ambiguous).toBe(true);
    expect(column.alternatives).toEqual([{ type: 'float', castOptions: { decimalSeparator: ',' } }]);
  });

  it('settles comma groups from a decimal-comma column', () => {
    const columns = inferSchema({
      columns: ['avg', 'max'],
      rows: [
        ['1,65', '1,500'],
        ['-1,575', '12,250'],
      ],
    });

    expect(columns.map(typeAndOptions)).toEqual([
      ['float', { decimalSeparator: ',' }],
      ['float', { decimalSeparator: ',' }],
    ]);
    expect(columns[1].ambiguous).toBe(false);
  });

  it('flags dot groups that may be thousands', () => {
    const column = inferColumn(['1.500', '2.250']);

    expect(typeAndOptions(column)).toEqual(['float', {}]);
    expect(column.ambiguous).toBe(true);
    expect(column.alternatives).toEqual([{ type: 'integer', castOptions: { decimalSeparator: ',', thousandsSeparator: '.' } }]);
  });

  it('flags timestamps where only some carry an offset', () => {
    const column = inferColumn(['2021-01-01T10:00:00Z', '2021-01-01T10:00:00']);

    expect(column.inferredType).toBe('timestamptz');
    expect(column.ambiguous).toBe(true);
    expect(column.alternatives).toEqual([{ type: 'timestamp', castOptions: {} }]);
  });
});

describe('inferSchema counts and samples', () => {
  it('counts blank cells as null in a typed column', () => {
    const column = inferColumn(['1', '    ', null, '', '2']);

    expect(column.inferredType).toBe('integer');
    expect(column.nullCount).toBe(3);
  });

  it('keeps blank strings as values in a text column', () => {
    const column = inferColumn(['', 'x', null]);

    expect(column.inferredType).toBe('text');
    expect(column.nullCount).toBe(1);
  });

  it('reads extra null spellings', () => {
    const column = inferColumn(['1', 'NA', ' NA ', '2'], { nullValues: ['NA'] });

    expect(column.inferredType).toBe('integer');
    expect(column.nullCount).toBe(2);
  });

  it('counts distinct values and keeps five samples', () => {
    const column = inferColumn(['a', 'b', 'a', 'c', 'd', 'e', 'f', null]);

    expect(column.distinctEstimate).toBe(6);
    expect(column.sample).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('reads rows keyed by header, missing keys as null', () => {
    const columns = inferSchema([{ id: '1', name: 'Ana' }, { id: '2' }, { id: '3', name: 'Bo', extra: '2021-01-01' }]);

    expect(columns.map((column) => [column.name, column.inferredType, column.nullCount])).toEqual([
      ['id', 'integer', 0],
      ['name', 'text', 1],
      ['extra', 'date', 2],
    ]);
  });

  it('reads short rows as null in the missing columns', () => {
    const columns = inferSchema({ columns: ['a', 'b'], rows: [['1'], ['2', '3']] });

    expect(columns[1].nullCount).toBe(1);
  });
});

describe('inferSchema cast options', () => {
  it.each<[string, string[]]>([
    ['integers', ['1', '-2', '1,234,567']],
    ['decimal commas', ['1,1', '-7,25', '10']],
    ['named dates', ['Jan 1 2000', 'Sept 5 2001']],
    ['12-hour times', ['3/25/2021 1:05 PM', '12/1/2021 11:00 AM']],
    ['offsets', ['2023-09-26T04:21:10.645527-07:00', '2023-11-06 18:05:00+01:00']],
  ])('read every value of %s', (_label, values) => {
    const column = inferColumn(values);
    const caster = createCaster(column.inferredType, column.castOptions);

    for (const value of values) {
      expect([value, caster(value).ok]).toEqual([value, true]);
    }
  });
});
