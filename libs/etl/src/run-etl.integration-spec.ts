import { Writable } from 'node:stream';

import pino from 'pino';

import { EtlError } from './etl.error';
import {
  type EtlProgress,
  type EtlResult,
  type LoadRequest,
  type LoadTarget,
  type LoadTargetWriter,
} from './etl.types';
import { runEtl, type RunEtlOptions } from './run-etl';
import { generateCsv, generatedRow, newCounter, type SourceCounter } from './testing/generated-csv';
import { MemoryRejects } from './testing/memory-rejects';
import { createTestDatabase, PostgresLoadTarget, type TestDatabase } from './testing/postgres-load-target';

describe('runEtl', () => {
  let database: TestDatabase;
  let target: PostgresLoadTarget;
  let runs = 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    target = new PostgresLoadTarget(database.connection);
  });

  afterAll(async () => {
    await database.drop();
  });

  type RunOptions = Partial<RunEtlOptions> & Pick<RunEtlOptions, 'source' | 'target'>;

  function run(options: RunOptions): Promise<EtlResult> {
    runs += 1;

    return runEtl({ spec: { steps: [] }, loadTarget: target, loadId: `run-${runs}`, rejects: new MemoryRejects(), ...options });
  }

  async function runError(options: RunOptions): Promise<EtlError> {
    const error = await run(options).then(
      () => null,
      (thrown: unknown) => thrown,
    );

    if (!(error instanceof EtlError)) {
      throw new Error(`expected an EtlError, got ${String(error)}`);
    }

    return error;
  }

  const text = (csv: string) => () => [csv];

  describe('error policies', () => {
    // Data row 3 has a line feed inside its note, so from data row 4 on the line is one more than the record number.
    const replaceRow =
      (bad: readonly number[]) =>
      (n: number): string | null => {
        if (n === 3) {
          return '3,name_3,0.75,2024-02-04,"two\nlines"';
        }

        return bad.includes(n) ? `${n},name_${n},abc,2024-02-01,"bad amount"` : null;
      };

    const castAmount = { op: 'cast', column: 'amount', type: 'float' };

    it('fail after the sample loads nothing', async () => {
      const counter = newCounter();
      const rejects = new MemoryRejects();
      const writesBefore = target.writes.length;
      const error = await runError({
        source: () => generateCsv({ rows: 30_000, replaceRow: replaceRow([25_000]) }, counter),
        target: { table: 'fail_late', mode: 'create' },
        rejects,
      });

      expect(error.code).toBe('BAD_DATA');
      expect(error.problems).toEqual([
        { row: 25_001, line: 25_002, column: 'amount', value: 'abc', message: expect.stringContaining('not a number'), record: null },
      ]);
      expect(error.message).toContain('line 25002, column "amount", value "abc"');
      expect(target.writes.length).toBeGreaterThan(writesBefore);
      expect(await target.exists('fail_late')).toBe(false);
      expect(rejects.opened).toBe(0);
      expect(counter.rows).toBeLessThan(30_000);
      expect(counter.closed).toBe(true);
    });

    it('reject-row writes the rejects file', async () => {
      const rejects = new MemoryRejects();
      const result = await run({
        source: () => generateCsv({ rows: 20_000, replaceRow: replaceRow([5, 12_345]) }, newCounter()),
        // A bad value inside the sample makes the inferred type text, so the spec casts.
        spec: { steps: [castAmount], onError: 'reject-row' },
        target: { table: 'reject_values', mode: 'create' },
        rejects,
      });

      expect(result).toMatchObject({ rowsLoaded: 19_998, rowsRejected: 2, valuesNulled: 0, rejectsFileId: 'rejects-1' });
      expect(await target.count('reject_values')).toBe(19_998);

      const lines = (rejects.files.get('rejects-1') ?? '').split('\n');

      expect(lines[0]).toBe('line,row,column,value,reason,record');
      expect(lines[1]).toBe('7,6,amount,abc,cannot read as float: not a number,');
      expect(lines[2]).toBe('12347,12346,amount,abc,cannot read as float: not a number,');
      expect(lines).toHaveLength(4);
      expect(lines[3]).toBe('');
    });

    it('loads bad values as NULL under null', async () => {
      const result = await run({
        source: () => generateCsv({ rows: 1000, replaceRow: replaceRow([10, 20]) }, newCounter()),
        spec: { steps: [castAmount], onError: 'null' },
        target: { table: 'null_values', mode: 'create' },
      });
      const rows = await target.selectText('null_values', ['id']);

      expect(result).toMatchObject({ rowsLoaded: 1000, rowsRejected: 0, valuesNulled: 2 });
      expect(result.rejectsFileId).toBeUndefined();
      expect(rows[9]).toMatchObject({ id: '10', amount: null });
      expect(rows[19]).toMatchObject({ id: '20', amount: null });
      expect(rows[2]).toMatchObject({ id: '3', note: 'two\nlines' });
    });

    it('fails on invalid UTF-8 after the sample', async () => {
      const head = Buffer.from(`id,name\n${Array.from({ length: 8000 }, (_, index) => `${index},n${index}`).join('\n')}\n`);
      const error = await runError({
        source: () => [head, Buffer.from([0x31, 0x2c, 0xff, 0x0a])],
        target: { table: 'bad_utf8', mode: 'create' },
      });

      expect(error.code).toBe('READ_FAILED');
      expect(error.message).toContain('windows-1252');
      expect(await target.exists('bad_utf8')).toBe(false);
    });
  });

  describe('streaming', () => {
    it('stops on abort and loads nothing', async () => {
      const counter = newCounter();
      const controller = new AbortController();
      const progress: EtlProgress[] = [];
      const running = run({
        source: () => generateCsv({ rows: 200_000, rowsPerPiece: 2000, delayMs: 5 }, counter),
        target: { table: 'aborted', mode: 'create' },
        signal: controller.signal,
        progressIntervalMs: 10,
        onProgress: (event) => {
          progress.push(event);

          if (event.rowsRead >= 20_000) {
            controller.abort(new Error('cancelled by the test'));
          }
        },
      });

      const error = await running.then(
        () => null,
        (thrown: unknown) => thrown,
      );

      expect(error).toBeInstanceOf(EtlError);
      expect((error as EtlError).code).toBe('ABORTED');
      expect(((error as EtlError).cause as Error).message).toBe('cancelled by the test');
      expect(counter.rows).toBeLessThan(200_000);
      expect(await target.exists('aborted')).toBe(false);
      await waitFor(() => counter.closed);
    });

    it('reports progress while it runs and at the end', async () => {
      const progress: EtlProgress[] = [];
      const result = await run({
        source: () => generateCsv({ rows: 40_000, rowsPerPiece: 500, delayMs: 3 }, newCounter()),
        target: { table: 'progress', mode: 'create' },
        progressIntervalMs: 20,
        onProgress: (event) => progress.push(event),
      });

      expect(progress.length).toBeGreaterThan(3);
      expect(progress.at(-1)).toEqual({ rowsRead: 40_000, rowsLoaded: 40_000, rowsRejected: 0 });
      expect(progress.some((event) => event.rowsRead > 0 && event.rowsRead < 40_000)).toBe(true);

      for (let index = 1; index < progress.length; index += 1) {
        expect(progress[index].rowsRead).toBeGreaterThanOrEqual(progress[index - 1].rowsRead);
        expect(progress[index].rowsLoaded).toBeGreaterThanOrEqual(progress[index - 1].rowsLoaded);
      }

      expect(result.rowsLoaded).toBe(40_000);
    });

    it('reads on while a write is pending', async () => {
      const counter = newCounter();
      const slow = new SlowTarget(target, 40, counter);
      const result = await run({
        source: () => generateCsv({ rows: 100_000 }, counter),
        target: { table: 'overlap', mode: 'create' },
        loadTarget: slow,
      });

      expect(result.rowsLoaded).toBe(100_000);
      expect(await target.count('overlap')).toBe(100_000);
      expect(slow.writes).toBeGreaterThan(3);
      expect(slow.maxPending).toBe(1);
      // Bytes pulled from the source while some write was pending.
      expect(slow.bytesReadDuringWrites).toBeGreaterThan(0);
    });
  });

  describe('modes and columns', () => {
    const first = 'id,name,score\n1,Ana,1.5\n2,Bo,2.5\n3,Cy,3.5\n';
    const second = 'id,name,score\n2,Bea,20.5\n4,Di,4.5\n4,Dee,40.5\n';

    it('upsert keeps the last row per key', async () => {
      await run({ source: text(first), target: { table: 'upsert', mode: 'create' } });

      const result = await run({ source: text(second), target: { table: 'upsert', mode: 'upsert', key: ['id'] } });

      expect(result.rowsLoaded).toBe(2);
      expect(await target.selectText('upsert', ['id'])).toEqual([
        { id: '1', name: 'Ana', score: '1.5' },
        { id: '2', name: 'Bea', score: '20.5' },
        { id: '3', name: 'Cy', score: '3.5' },
        { id: '4', name: 'Dee', score: '40.5' },
      ]);
    });

    it('replaces every row', async () => {
      await run({ source: text(first), target: { table: 'replace', mode: 'create' } });
      await run({ source: text(second), target: { table: 'replace', mode: 'replace' } });

      expect(await target.count('replace')).toBe(3);
      expect((await target.selectText('replace', ['id', 'name'])).map((row) => row.name)).toEqual(['Bea', 'Dee', 'Di']);
    });

    it('appends as the existing column types', async () => {
      await run({ source: text(first), target: { table: 'typed_append', mode: 'create' } });

      const integers = 'id,name,score\n5,Ed,5\n6,Flo,6\n';
      const existingColumns = await target.columnsOf('typed_append');
      const result = await run({ source: text(integers), target: { table: 'typed_append', mode: 'append' }, existingColumns });
      const untyped = await runError({
        source: text(integers),
        target: { table: 'typed_append', mode: 'append' },
        existingColumns: existingColumns.map(({ id, name, label }) => ({ id, name, label })),
      });

      expect(result.columns.map((column) => column.type)).toEqual(['integer', 'text', 'float']);
      expect(await target.count('typed_append')).toBe(5);
      expect(untyped.code).toBe('LOAD_FAILED');
      expect(untyped.message).toContain('column score of typed_append is float, the load has integer');
    });

    it('maps headers onto renamed columns by label', async () => {
      await run({ source: text('Cost Total $,Item\n5,a\n'), target: { table: 'renamed', mode: 'create' } });

      const renamed = (await target.columnsOf('renamed')).map((column) =>
        column.name === 'cost_total' ? { ...column, name: 'total_cost' } : column,
      );

      await target.query("UPDATE etl_catalog SET columns = $1 WHERE name = 'renamed'", [JSON.stringify(renamed)]);

      const result = await run({
        source: text('Cost Total $,Item\n7,b\n'),
        spec: { steps: [{ op: 'derive', column: 'double', expr: 'total_cost * 2' }] },
        target: { table: 'renamed', mode: 'append' },
        existingColumns: renamed,
      });

      expect(result.columns).toEqual([
        { name: 'total_cost', label: 'Cost Total $', type: 'integer', columnId: renamed[0].id },
        { name: 'item', label: 'Item', type: 'text', columnId: renamed[1].id },
        { name: 'double', label: 'double', type: 'integer', columnId: null },
      ]);
      expect(await target.selectText('renamed')).toEqual([
        { total_cost: '5', item: 'a', double: null },
        { total_cost: '7', item: 'b', double: '14' },
      ]);
    });

    it('labels renamed, derived and split columns', async () => {
      const result = await run({
        source: text('Full Name,Cost Total $\nAna Lima,5\n'),
        spec: {
          steps: [
            { op: 'rename', from: 'cost_total', to: 'cost' },
            { op: 'split', column: 'full_name', separator: ' ', into: ['first', 'last'] },
            { op: 'derive', column: 'cost', expr: 'cost + 1' },
          ],
        },
        target: { table: 'labels', mode: 'create' },
      });

      expect(result.columns.map((column) => [column.name, column.label])).toEqual([
        ['first', 'first'],
        ['last', 'last'],
        ['cost', 'Cost Total $'],
      ]);
      expect(await target.selectText('labels')).toEqual([{ first: 'Ana', last: 'Lima', cost: '6' }]);
    });

    it('loads the rows a keep-last dedupe holds back', async () => {
      const result = await run({
        source: text(second),
        spec: { steps: [{ op: 'dedupe', keys: ['id'], keep: 'last' }] },
        target: { table: 'dedupe', mode: 'create' },
      });

      expect(result.rowsLoaded).toBe(2);
      expect(await target.selectText('dedupe', ['id'])).toEqual([
        { id: '2', name: 'Bea', score: '20.5' },
        { id: '4', name: 'Dee', score: '40.5' },
      ]);
    });

    it('loads NDJSON with big integers exact', async () => {
      const result = await run({
        source: text('{"id": 9007199254740993, "tags": ["a"], "ok": true}\n{"id": 2, "tags": [], "ok": false}\n'),
        target: { table: 'ndjson', mode: 'create' },
      });

      expect(result.columns.map((column) => column.type)).toEqual(['integer', 'json', 'boolean']);
      expect(await target.selectText('ndjson')).toEqual([
        { id: '9007199254740993', tags: '["a"]', ok: 'true' },
        { id: '2', tags: '[]', ok: 'false' },
      ]);
    });

    it('applies a load id once', async () => {
      const options = { source: text(first), target: { table: 'once', mode: 'append' as const }, loadId: 'the-same-load' };
      const applied = await run(options);
      const again = await run(options);

      expect(applied).toMatchObject({ rowsLoaded: 3, alreadyApplied: false });
      expect(again).toMatchObject({ rowsLoaded: 3, alreadyApplied: true, tableId: applied.tableId });
      expect(await target.count('once')).toBe(3);
    });
  });

  describe('invalid input', () => {
    it('rejects an unknown column before begin', async () => {
      let begun = 0;
      const counting: LoadTarget = {
        begin: (request) => {
          begun += 1;

          return target.begin(request);
        },
      };
      const error = await runError({
        source: text('temp_max,day\n1,2024-01-01\n'),
        spec: { steps: [{ op: 'cast', column: 'tmep_max', type: 'float' }] },
        target: { table: 'bad_spec', mode: 'create' },
        loadTarget: counting,
      });

      expect(error.code).toBe('INVALID_SPEC');
      expect(error.specErrors).toEqual([{ path: 'steps[0].column', message: expect.stringContaining('did you mean "temp_max"') }]);
      expect(begun).toBe(0);
    });

    it.each([
      [{ table: 'k', mode: 'upsert' as const }, 'target.key must name at least one column'],
      [{ table: 'k', mode: 'append' as const, key: ['id'] }, 'target.key applies only to mode "upsert"'],
      [{ table: 'k', mode: 'merge' as never }, 'target.mode must be one of create, replace, append, upsert'],
      [{ table: '', mode: 'create' as const }, 'target.table must be a non-empty logical table name'],
      [{ table: 'k', mode: 'upsert' as const, key: ['nope'] }, 'target.key names columns that the transformed rows do not have: "nope"'],
    ])('rejects target %j', async (options, message) => {
      const error = await runError({ source: text('id,name\n1,a\n'), target: options });

      expect(error.code).toBe('INVALID_OPTIONS');
      expect(error.message).toContain(message);
    });

    it('rejects an empty file', async () => {
      const error = await runError({ source: text(''), target: { table: 'empty', mode: 'create' } });

      expect(error.code).toBe('NO_COLUMNS');
    });

    it('loads a header without rows as an empty table', async () => {
      const result = await run({ source: text('id,name\n'), target: { table: 'header_only', mode: 'create' } });

      expect(result.rowsLoaded).toBe(0);
      expect(result.columns.map((column) => [column.name, column.type])).toEqual([
        ['id', 'text'],
        ['name', 'text'],
      ]);
      expect(await target.count('header_only')).toBe(0);
    });
  });

  describe('callbacks and logging', () => {
    it('logs the start and the end with the load id', async () => {
      const lines: Record<string, unknown>[] = [];
      const logger = pino(
        { level: 'info' },
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
            callback();
          },
        }),
      );

      await run({ source: text('id\n1\n'), target: { table: 'logged', mode: 'create' }, loadId: 'logged-load', logger });
      await runError({ source: text('id\n1\n'), target: { table: 'logged', mode: 'create' }, loadId: 'logged-again', logger });

      expect(lines.map((line) => [line.msg, line.loadId, line.table])).toEqual([
        ['etl load started', 'logged-load', 'logged'],
        ['etl load finished', 'logged-load', 'logged'],
        ['etl load started', 'logged-again', 'logged'],
        ['etl load failed', 'logged-again', 'logged'],
      ]);
      expect(lines[1]).toMatchObject({ rowsLoaded: 1, rowsRejected: 0 });
      expect(lines[3]).toMatchObject({ level: 50, err: { message: expect.stringContaining('exists already') } });
    });

    it('survives an onProgress that throws', async () => {
      const result = await run({
        source: () => generateCsv({ rows: 5000, rowsPerPiece: 500, delayMs: 5 }, newCounter()),
        target: { table: 'throwing_progress', mode: 'create' },
        progressIntervalMs: 5,
        onProgress: () => {
          throw new Error('callback broke');
        },
      });

      expect(result.rowsLoaded).toBe(5000);
    });

    it('reports a source factory that throws as READ_FAILED', async () => {
      const error = await runError({
        source: () => {
          throw new Error('blob not found');
        },
        target: { table: 'no_source', mode: 'create' },
      });

      expect(error.code).toBe('READ_FAILED');
      expect(error.message).toBe('the file could not be opened: Error: blob not found');
    });

    it('aborts a load that begins after the abort', async () => {
      const controller = new AbortController();
      let lateAborts = 0;
      const late: LoadTarget = {
        begin: async (request) => {
          controller.abort();
          await new Promise((resolve) => setTimeout(resolve, 20));

          const writer = await target.begin(request);

          return {
            write: (copyText) => writer.write(copyText),
            commit: () => writer.commit(),
            abort: () => {
              lateAborts += 1;

              return writer.abort();
            },
          };
        },
      };
      const error = await runError({
        source: text('id\n1\n'),
        target: { table: 'late_begin', mode: 'create' },
        loadTarget: late,
        signal: controller.signal,
      });

      expect(error.code).toBe('ABORTED');
      await waitFor(() => lateAborts === 1);
      expect(await target.exists('late_begin')).toBe(false);
    });
  });

  it('reads generated rows back unchanged', async () => {
    await run({ source: () => generateCsv({ rows: 3000 }, newCounter()), target: { table: 'round_trip', mode: 'create' } });

    const rows = await target.selectText('round_trip', ['id']);

    expect(generatedRow(2999)).toBe('2999,name_8,749.75,2024-02-04,"note 2999, with a comma"');
    expect(rows).toHaveLength(3000);
    expect(rows[2998]).toEqual({ id: '2999', name: 'name_8', amount: '749.75', day: '2024-02-04', note: 'note 2999, with a comma' });
  });
});

/** Wraps a load target so every write takes `delayMs` longer, and records what happens meanwhile. */
class SlowTarget implements LoadTarget {
  writes = 0;
  pending = 0;
  maxPending = 0;
  bytesReadDuringWrites = 0;

  constructor(
    private readonly inner: LoadTarget,
    private readonly delayMs: number,
    private readonly counter: SourceCounter,
  ) {}

  async begin(request: LoadRequest): Promise<LoadTargetWriter> {
    const writer = await this.inner.begin(request);

    return {
      write: async (copyText) => {
        const bytesBefore = this.counter.bytes;

        this.writes += 1;
        this.pending += 1;
        this.maxPending = Math.max(this.maxPending, this.pending);

        try {
          await new Promise((resolve) => setTimeout(resolve, this.delayMs));
          await writer.write(copyText);
        } finally {
          this.pending -= 1;
          this.bytesReadDuringWrites += this.counter.bytes - bytesBefore;
        }
      },
      commit: () => writer.commit(),
      abort: () => writer.abort(),
    };
  }
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;

  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('the condition did not become true in time');
    }

    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
