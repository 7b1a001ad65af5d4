import { mapHeadersToColumns } from './column-mapping.util';
import { deriveColumnNames } from './column-names.util';
import { generateColumnIds } from './ids.util';
import { isLogicalName } from './logical-name.util';
import { hasLoneSurrogate, utf8ByteLength } from './utf8.util';

/** Defined by jest.setup.cjs, because lint keeps Node's file system API out of this browser library. */
const { readCaseFile } = globalThis as unknown as {
  readCaseFile: (fileName: string) => Uint8Array;
};

/**
 * Reads the header line of a small UTF-8 case file. Both files have LF line
 * ends, no BOM and no quoted header fields. A file that changes in these
 * respects fails here instead of being split wrongly.
 */
function readHeaders(fileName: string): string[] {
  const bytes = readCaseFile(fileName);
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  const headerLine = text.slice(0, text.indexOf('\n'));

  if (headerLine.startsWith('\uFEFF') || /["\r]/.test(headerLine)) {
    throw new Error(
      `${fileName}: expected a header line without BOM, CR or quotes, got ${JSON.stringify(headerLine)}`,
    );
  }

  return headerLine.split(',');
}

describe('blank and duplicate headers file', () => {
  const headers = readHeaders('09-blank-duplicate-headers.csv');
  const columns = deriveColumnNames(headers);

  it('reads the five headers', () => {
    expect(headers).toEqual(['id', 'email', '', 'email', 'Email']);
  });

  it('keeps all five columns in order', () => {
    expect(columns.map((column) => column.name)).toEqual([
      'id',
      'email',
      'column_3',
      'email_2',
      'email_3',
    ]);
  });

  it('gives unique non-empty names', () => {
    const names = columns.map((column) => column.name);

    expect(new Set(names).size).toBe(5);
    expect(names.every((name) => name.length > 0 && isLogicalName(name))).toBe(true);
  });

  it('keeps the original text as labels', () => {
    expect(columns.map((column) => column.label)).toEqual(headers);
  });

  it('maps a re-append to the same columns', () => {
    const ids = generateColumnIds(columns.length);
    const existing = columns.map((column, index) => ({ id: ids[index], ...column }));
    const result = mapHeadersToColumns(headers, existing);

    expect(result.headers.map((header) => header.columnId)).toEqual(ids);
    expect(result.unmatchedColumns).toEqual([]);
  });
});

describe('long column names file', () => {
  const headers = readHeaders('10-long-column-names.csv');
  const columns = deriveColumnNames(headers);
  const encoder = new TextEncoder();

  it('has two long headers sharing 63 bytes and a cut inside é', () => {
    const [, europe, americas, french] = headers.map((header) => encoder.encode(header));

    expect(europe.length).toBeGreaterThan(63);
    expect(americas.length).toBeGreaterThan(63);
    expect(Buffer.from(europe.subarray(0, 63)).equals(Buffer.from(americas.subarray(0, 63)))).toBe(
      true,
    );
    expect(french.length).toBeGreaterThan(63);
    // Byte 63 (index 62) is the first byte of a two-byte é.
    expect(french[62]).toBe(0xc3);
    expect(french[63]).toBe(0xa9);
  });

  it('keeps four distinct columns', () => {
    const names = columns.map((column) => column.name);

    expect(names).toHaveLength(4);
    expect(new Set(names).size).toBe(4);
    expect(names[0]).toBe('id');
    expect(names[3]).toBe('duree_moyenne_de_sejour_des_clients_etrangers_en_hotel_en_ete');
  });

  it('keeps each name within 63 bytes of valid UTF-8', () => {
    for (const { name } of columns) {
      const bytes = encoder.encode(name);

      expect(bytes.length).toBeLessThanOrEqual(63);
      expect(hasLoneSurrogate(name)).toBe(false);
      expect(new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toBe(name);
      expect(utf8ByteLength(name)).toBe(bytes.length);
    }
  });

  it('gives the two long names hash suffixes', () => {
    expect(columns[1].name).toMatch(
      /^quarterly_revenue_adjusted_for_inflation_and_currency_[0-9a-f]{8}$/,
    );
    expect(columns[2].name).toMatch(
      /^quarterly_revenue_adjusted_for_inflation_and_currency_[0-9a-f]{8}$/,
    );
  });

  it('keeps the full header as label', () => {
    expect(columns.map((column) => column.label)).toEqual(headers);
  });

  it('maps a re-append to the same columns', () => {
    const ids = generateColumnIds(columns.length);
    const existing = columns.map((column, index) => ({ id: ids[index], ...column }));
    const result = mapHeadersToColumns(headers, existing);

    expect(result.headers.map((header) => header.columnId)).toEqual(ids);
    expect(result.headers.map((header) => header.name)).toEqual(
      columns.map((column) => column.name),
    );
    expect(result.unmatchedColumns).toEqual([]);
  });

  it('maps by name when labels were edited', () => {
    const ids = generateColumnIds(columns.length);
    const existing = columns.map((column, index) => ({
      id: ids[index],
      name: column.name,
      label: `old ${index}`,
    }));
    const result = mapHeadersToColumns(headers, existing);

    expect(result.headers.map((header) => header.columnId)).toEqual(ids);
    expect(result.headers.every((header) => header.matchedBy === 'name')).toBe(true);
  });
});
