import { readFileSync } from 'node:fs';
import path from 'node:path';

import { openFileReader } from '@rokks/file-reader';
import { utf8ByteLength } from '@rokks/naming';

import { EtlError } from './etl.error';
import { type EtlResult, type ExistingColumn, type LoadMode } from './etl.types';
import { previewFile } from './preview-file';
import { profileFile } from './profile-file';
import { runEtl } from './run-etl';
import { MemoryRejects } from './testing/memory-rejects';
import { createTestDatabase, PostgresLoadTarget, type TestDatabase } from './testing/postgres-load-target';
import { SHARED_DATA, sharedFile } from './testing/shared-data.util';

const caseFile = (name: string): (() => NodeJS.ReadableStream & AsyncIterable<Buffer>) => sharedFile('cases', name);
const caseBytes = (name: string): Buffer => readFileSync(path.join(SHARED_DATA, 'cases', name));

describe('importer cases through profile, preview and load', () => {
  let database: TestDatabase;
  let target: PostgresLoadTarget;
  let loads = 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    target = new PostgresLoadTarget(database.connection);
  });

  afterAll(async () => {
    await database.drop();
  });

  interface LoadCase {
    file: string;
    table: string;
    spec?: unknown;
    mode?: LoadMode;
    existingColumns?: readonly ExistingColumn[];
    rejects?: MemoryRejects;
  }

  async function load(options: LoadCase): Promise<EtlResult> {
    loads += 1;

    return runEtl({
      source: caseFile(options.file),
      spec: options.spec ?? { steps: [] },
      target: { table: options.table, mode: options.mode ?? 'create' },
      loadTarget: target,
      loadId: `case-load-${loads}`,
      existingColumns: options.existingColumns,
      rejects: options.rejects ?? new MemoryRejects(),
    });
  }

  async function loadError(options: LoadCase): Promise<EtlError> {
    const error = await load(options).then(
      () => null,
      (thrown: unknown) => thrown,
    );

    if (!(error instanceof EtlError)) {
      throw new Error(`expected an EtlError, got ${String(error)}`);
    }

    return error;
  }

  describe('01 UTF-8 byte order mark and CRLF', () => {
    const file = '01-utf8-bom-header.csv';

    it('profiles clean headers and types', async () => {
      const profile = await profileFile(caseFile(file)());

      expect(profile).toMatchObject({ format: 'csv', encoding: 'utf-8', delimiter: ',', header: true });
      expect(profile.columns.map((column) => [column.name, column.label, column.inferredType])).toEqual([
        ['order_id', 'order_id', 'integer'],
        ['customer', 'customer', 'text'],
        ['total', 'total', 'float'],
      ]);
      expect(profile.rows).toEqual([
        { order_id: '1001', customer: 'Ana Lima', total: '19.90' },
        { order_id: '1002', customer: 'Bo Chen', total: '5.00' },
      ]);
    });

    it('previews and loads without a BOM or CR', async () => {
      const preview = await previewFile(caseFile(file)(), { steps: [] });
      const result = await load({ file, table: 'case_01' });
      const rows = await target.selectText('case_01');

      expect(preview.rows).toEqual([
        [1001, 'Ana Lima', 19.9],
        [1002, 'Bo Chen', 5],
      ]);
      expect(result.columns.map((column) => column.name)).toEqual(['order_id', 'customer', 'total']);
      expect(rows).toEqual([
        { order_id: '1001', customer: 'Ana Lima', total: '19.9' },
        { order_id: '1002', customer: 'Bo Chen', total: '5' },
      ]);
      expect(JSON.stringify(rows)).not.toMatch(/\ufeff|\r/);
    });
  });

  describe('02 UTF-16LE with a byte order mark', () => {
    const file = '02-utf16le-bom.csv';

    it('profiles the decoded header', async () => {
      const profile = await profileFile(caseFile(file)());

      expect(profile.encoding).toBe('utf-16le');
      expect(profile.columns.map((column) => [column.name, column.inferredType])).toEqual([
        ['app_id', 'text'],
        ['version', 'text'],
        ['lang', 'text'],
        ['rating', 'integer'],
        ['review', 'text'],
      ]);
    });

    it('loads text without NUL bytes', async () => {
      const preview = await previewFile(caseFile(file)(), { steps: [] });

      await load({ file, table: 'case_02' });

      const rows = await target.selectText('case_02');

      expect(preview.rows[1]).toEqual(['com.example.notes', '3.5.2', 'pt', 4, 'Ótimo — rápido']);
      expect(rows.map((row) => [row.version, row.rating, row.review])).toEqual([
        ['3.6.0', '5', 'Great app. Very useful.'],
        ['3.5.2', '4', 'Ótimo — rápido'],
      ]);
      expect(JSON.stringify(rows)).not.toContain('\\u0000');
    });
  });

  describe('05 quoted line feeds in a CRLF file', () => {
    const file = '05-quoted-newlines-crlf.csv';

    it('loads exactly three rows with their line feeds', async () => {
      const preview = await previewFile(caseFile(file)(), { steps: [] });

      await load({ file, table: 'case_05' });

      expect(preview.stats.rowsOut).toBe(3);
      expect(await target.selectText('case_05')).toEqual([
        { id: 'r1', comment: 'Line "with quoted" text\n\nFoo bar baz' },
        { id: 'r2', comment: 'some other "quoted" text \n\nLine after empty' },
        { id: 'r3', comment: null },
      ]);
    });
  });

  describe('07 trailing delimiter', () => {
    const file = '07-trailing-delimiter.csv';

    it('drops the empty last column', async () => {
      const profile = await profileFile(caseFile(file)());

      await load({ file, table: 'case_07' });

      expect(profile.delimiter).toBe('|');
      expect(profile.rowErrors).toEqual([]);
      expect(profile.columns.map((column) => [column.name, column.inferredType])).toEqual([
        ['trade_date', 'date'],
        ['symbol', 'text'],
        ['qty', 'integer'],
      ]);
      expect(await target.selectText('case_07')).toEqual([
        { trade_date: '2022-01-03', symbol: 'ABC', qty: '100' },
        { trade_date: '2022-01-04', symbol: 'XYZ', qty: '-50' },
      ]);
    });
  });

  describe('08 ragged rows', () => {
    const file = '08-ragged-rows.csv';

    it('profiles the two malformed records', async () => {
      const profile = await profileFile(caseFile(file)());

      expect(profile.rowErrors).toEqual([
        { row: 3, line: 3, column: null, value: null, message: "4 fields, expected 3; extra value 'extra'", record: '2,Bo,Oslo,extra' },
        { row: 4, line: 4, column: null, value: null, message: '2 fields, expected 3', record: '3,Cy' },
      ]);
      expect(profile.rows).toEqual([
        { id: '1', name: 'Ana', city: 'Lisbon' },
        { id: '4', name: 'Di', city: 'Rome' },
      ]);
    });

    it('loads nothing under fail and names lines 3 and 4', async () => {
      const rejects = new MemoryRejects();
      const preview = await previewFile(caseFile(file)(), { steps: [] });
      const error = await loadError({ file, table: 'case_08_fail', rejects });

      expect(preview.failed).toBe(true);
      expect(preview.errors.map((problem) => problem.line)).toEqual([3, 4]);
      expect(error.code).toBe('BAD_DATA');
      expect(error.message).toContain("line 3: 4 fields, expected 3; extra value 'extra'");
      expect(error.message).toContain('line 4: 2 fields, expected 3');
      expect(error.problems.map((problem) => problem.line)).toEqual([3, 4]);
      expect(await target.exists('case_08_fail')).toBe(false);
      expect(rejects.opened).toBe(0);
    });

    it('loads the good rows under reject-row and keeps the raw records', async () => {
      const rejects = new MemoryRejects();
      const spec = { steps: [], onError: 'reject-row' };
      const preview = await previewFile(caseFile(file)(), spec);
      const result = await load({ file, table: 'case_08_reject', spec, rejects });

      expect(preview.rows).toEqual([
        [1, 'Ana', 'Lisbon'],
        [4, 'Di', 'Rome'],
      ]);
      expect(preview.stats).toMatchObject({ rowsIn: 4, rowsOut: 2, rowsRejected: 2 });
      expect(result).toMatchObject({ rowsLoaded: 2, rowsRejected: 2, rejectsFileId: 'rejects-1' });
      expect(await target.selectText('case_08_reject')).toEqual([
        { id: '1', name: 'Ana', city: 'Lisbon' },
        { id: '4', name: 'Di', city: 'Rome' },
      ]);

      const rejected = await readCsv(rejects.files.get('rejects-1') ?? '');

      expect(rejected.columns).toEqual(['line', 'row', 'column', 'value', 'reason', 'record']);
      expect(rejected.rows).toEqual([
        ['3', '3', null, null, "4 fields, expected 3; extra value 'extra'", '2,Bo,Oslo,extra'],
        ['4', '4', null, null, '2 fields, expected 3', '3,Cy'],
      ]);
    });

    it('pads and cuts ragged rows under null', async () => {
      const spec = { steps: [], onError: 'null' };
      const result = await load({ file, table: 'case_08_null', spec });

      expect(result).toMatchObject({ rowsLoaded: 4, rowsRejected: 0, valuesNulled: 2 });
      expect(await target.selectText('case_08_null', ['id'])).toEqual([
        { id: '1', name: 'Ana', city: 'Lisbon' },
        { id: '2', name: 'Bo', city: 'Oslo' },
        { id: '3', name: 'Cy', city: null },
        { id: '4', name: 'Di', city: 'Rome' },
      ]);
    });
  });

  describe('09 blank and duplicate headers', () => {
    const file = '09-blank-duplicate-headers.csv';

    it('keeps all five columns and maps an append onto them', async () => {
      const profile = await profileFile(caseFile(file)());
      const first = await load({ file, table: 'case_09' });
      const existingColumns = await target.columnsOf('case_09');
      const second = await load({ file, table: 'case_09', mode: 'append', existingColumns });
      const columns = await target.columnsOf('case_09');

      expect(profile.columns.map((column) => [column.name, column.label])).toEqual([
        ['id', 'id'],
        ['email', 'email'],
        ['column_3', ''],
        ['email_2', 'email'],
        ['email_3', 'Email'],
      ]);
      expect(first.columns.map((column) => column.columnId)).toEqual([null, null, null, null, null]);
      expect(second.columns.map((column) => column.columnId)).toEqual(existingColumns.map((column) => column.id));
      expect(columns).toEqual(existingColumns);
      expect(columns).toHaveLength(5);
      expect(await target.selectText('case_09')).toEqual([
        { id: '1', email: 'a@example.com', column_3: 'x', email_2: 'b@example.com', email_3: 'c@example.com' },
        { id: '2', email: 'd@example.com', column_3: null, email_2: 'e@example.com', email_3: 'f@example.com' },
        { id: '1', email: 'a@example.com', column_3: 'x', email_2: 'b@example.com', email_3: 'c@example.com' },
        { id: '2', email: 'd@example.com', column_3: null, email_2: 'e@example.com', email_3: 'f@example.com' },
      ]);
    });
  });

  describe('10 long column names', () => {
    const file = '10-long-column-names.csv';

    it('loads, re-appends and keeps the full headers as labels', async () => {
      const headers = (await openFileReader([caseBytes(file)])).detected.columns;

      await load({ file, table: 'case_10' });
      await load({ file, table: 'case_10', mode: 'append', existingColumns: await target.columnsOf('case_10') });

      const columns = await target.columnsOf('case_10');

      expect(columns.map((column) => column.label)).toEqual(headers);
      expect(new Set(columns.map((column) => column.name)).size).toBe(4);

      for (const column of columns) {
        expect(utf8ByteLength(column.name)).toBeLessThanOrEqual(63);
        expect(Buffer.from(column.name, 'utf8').toString('utf8')).toBe(column.name);
        expect(column.name).not.toMatch(/[\ud800-\udfff]/);
      }

      const rows = (await target.selectText('case_10')).map((row) => columns.map((column) => row[column.name]));

      expect(rows).toEqual([
        ['1', '1.5', '2.5', '3.5'],
        ['2', '10', '20', '4.25'],
        ['1', '1.5', '2.5', '3.5'],
        ['2', '10', '20', '4.25'],
      ]);
    });
  });

  describe('12 semicolons and decimal commas', () => {
    const file = '12-semicolon-decimal-comma.csv';

    it('reads the decimal commas as numbers', async () => {
      const profile = await profileFile(caseFile(file)());

      await load({ file, table: 'case_12' });

      expect(profile.delimiter).toBe(';');
      expect(profile.columns.slice(1).map((column) => column.castOptions.decimalSeparator)).toEqual([',', ',', ',']);
      expect(await target.selectText('case_12')).toEqual([
        { sensor: 's1', min: '1.1', max: '2.2', avg: '1.65' },
        { sensor: 's2', min: '0.5', max: '10', avg: '5.25' },
        { sensor: 's3', min: '-7.25', max: '4.1', avg: '-1.575' },
      ]);
    });
  });

  describe('15 leading zero codes', () => {
    const file = '15-leading-zero-codes.csv';

    it('keeps codes as text and Japanese text byte for byte', async () => {
      const preview = await previewFile(caseFile(file)(), { steps: [] });

      await load({ file, table: 'case_15' });

      const rows = await target.selectText('case_15');
      const source = caseBytes(file).toString('utf8');

      expect(preview.columns.map((column) => column.type)).toEqual(['text', 'text', 'text', 'text']);
      expect(rows.map((row) => row.postal_code)).toEqual(['0600000', '0640941', '1000001']);
      expect(rows.map((row) => row.alt_zip)).toEqual(['01569', '02134', '10001']);

      for (const row of rows) {
        expect(source).toContain(`${row.postal_code},${row.prefecture},${row.city},`);
      }
    });
  });

  describe('16 integers above 2^53 beside blanks', () => {
    const file = '16-bigint-with-blank.csv';

    it('keeps every digit in the preview and in PostgreSQL', async () => {
      const preview = await previewFile(caseFile(file)(), { steps: [] });

      await load({ file, table: 'case_16' });

      expect(preview.columns.map((column) => column.type)).toEqual(['integer', 'integer', 'integer']);
      expect(preview.rows).toEqual([
        ['9007199254740993', null, 100],
        ['1234567890123456789', '9007199254740993', 250],
        [null, '1234567890123456789', null],
      ]);
      expect(await target.selectText('case_16')).toEqual([
        { event_id: '9007199254740993', parent_id: null, amount_cents: '100' },
        { event_id: '1234567890123456789', parent_id: '9007199254740993', amount_cents: '250' },
        { event_id: null, parent_id: '1234567890123456789', amount_cents: null },
      ]);
    });
  });

  describe('19 boolean spellings', () => {
    it('reads every spelling', async () => {
      await load({ file: '19-boolean-spellings.csv', table: 'case_19' });

      const rows = await target.selectText('case_19');

      expect((await target.columnsOf('case_19'))[1].type).toBe('boolean');
      expect(rows.map((row) => row.is_active)).toEqual(['true', 'false', 'true', 'false', 'true', 'false', 'true', 'false', null]);
    });
  });

  describe('21 blank versus null', () => {
    const file = '21-blank-vs-null.csv';

    it('keeps a quoted empty string apart from NULL', async () => {
      const preview = await previewFile(caseFile(file)(), { steps: [] });

      await load({ file, table: 'case_21' });

      expect(preview.columns.map((column) => [column.name, column.type])).toEqual([
        ['empty_col', 'text'],
        ['int_col', 'integer'],
        ['text_col', 'text'],
        ['quoted_empty', 'text'],
      ]);
      expect(preview.rows).toEqual([
        [null, 1, null, ''],
        [null, null, 'hello', 'x'],
      ]);
      expect(await target.selectText('case_21')).toEqual([
        { empty_col: null, int_col: '1', text_col: null, quoted_empty: '' },
        { empty_col: null, int_col: null, text_col: 'hello', quoted_empty: 'x' },
      ]);
    });
  });

  describe('23 day-first dates', () => {
    it('reads the whole column day-first', async () => {
      const profile = await profileFile(caseFile('23-ddmmyyyy-dates.csv')());

      await load({ file: '23-ddmmyyyy-dates.csv', table: 'case_23' });

      expect(profile.columns[1]).toMatchObject({ inferredType: 'date', castOptions: { format: 'dd/MM/yyyy' }, ambiguous: false });
      expect((await target.selectText('case_23')).map((row) => row.order_date)).toEqual([
        '2021-04-03',
        '2021-04-13',
        '2021-02-01',
        '2021-12-25',
        '2021-11-12',
      ]);
    });

    it('flags dates that nothing settles as ambiguous', async () => {
      const profile = await profileFile(['order_id,order_date\n1,03/04/2021\n2,01/02/2021\n']);

      expect(profile.columns[1].ambiguous).toBe(true);
      expect(profile.columns[1].alternatives.map((alternative) => alternative.castOptions.format)).toContain('MM/dd/yyyy');
    });
  });

  describe('25 ISO timestamps with offsets', () => {
    it('loads UTC instants with microseconds', async () => {
      const profile = await profileFile(caseFile('25-iso-offset-timestamps.csv')());

      await load({ file: '25-iso-offset-timestamps.csv', table: 'case_25' });

      expect(profile.columns[1].inferredType).toBe('timestamptz');
      expect((await target.selectText('case_25')).map((row) => row.created_at)).toEqual([
        '2023-09-26 11:21:10.645527+00',
        '2023-11-06 17:05:00+00',
        '2023-11-06 17:05:00+00',
        '2023-11-06 17:05:00+00',
      ]);
    });
  });

  describe('26 Unix seconds and milliseconds', () => {
    const file = '26-epoch-seconds-millis.csv';

    it('offers epoch readings and loads the casts as instants', async () => {
      const spec = {
        steps: [
          { op: 'cast', column: 'ts_s', type: 'timestamptz', format: 'epoch_s' },
          { op: 'cast', column: 'ts_ms', type: 'timestamptz', format: 'epoch_ms' },
        ],
      };
      const profile = await profileFile(caseFile(file)());
      const preview = await previewFile(caseFile(file)(), spec);

      await load({ file, table: 'case_26', spec });

      expect(profile.columns[1].alternatives).toContainEqual({ type: 'timestamptz', castOptions: { format: 'epoch_s' } });
      expect(profile.columns[2].alternatives).toContainEqual({ type: 'timestamptz', castOptions: { format: 'epoch_ms' } });
      expect(preview.rows).toEqual([
        ['a', '2018-03-19T16:05:00Z', '2018-03-19T16:05:00Z'],
        ['b', '2023-11-14T22:13:20Z', '2023-11-14T22:13:20.123Z'],
      ]);
      expect(await target.selectText('case_26')).toEqual([
        { event: 'a', ts_s: '2018-03-19 16:05:00+00', ts_ms: '2018-03-19 16:05:00+00' },
        { event: 'b', ts_s: '2023-11-14 22:13:20+00', ts_ms: '2023-11-14 22:13:20.123+00' },
      ]);
    });
  });
});

/** Reads CSV text back with the file reader, so the rejects file is checked as a reader sees it. */
async function readCsv(text: string): Promise<{ columns: string[]; rows: unknown[][] }> {
  const reader = await openFileReader([text]);
  const rows: unknown[][] = [];

  for await (const chunk of reader) {
    rows.push(...chunk.rows);
    expect(chunk.errors).toEqual([]);
  }

  return { columns: reader.detected.columns, rows };
}
