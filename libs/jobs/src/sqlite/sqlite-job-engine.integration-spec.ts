import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { type JobEngineOptions } from '../core/engine-settings';
import {
  deferred,
  describeJobEngineContract,
  FAST_OPTIONS,
  sleepUnlessAborted,
  TEST_TIMEOUT_MS,
  waitForStatus,
} from '../testing';
import { SqliteJobEngine } from './sqlite-job-engine';
import { SCHEMA_VERSION } from './sqlite-schema';

const directory = mkdtempSync(join(tmpdir(), 'jobs-sqlite-'));

function databaseFile(storeId: string): string {
  return join(directory, `${storeId}.db`);
}

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describeJobEngineContract('sqlite', {
  openEngine: async (storeId, options) =>
    SqliteJobEngine.open({ ...options, file: databaseFile(storeId), eventPollIntervalMs: 25 }),
  dropStore: async (storeId) => {
    await Promise.all(
      ['', '-wal', '-shm', '-wake'].map(async (suffix) =>
        rm(`${databaseFile(storeId)}${suffix}`, { force: true }),
      ),
    );
  },
});

describe('SqliteJobEngine storage', () => {
  it('creates the database in WAL mode with the current schema', async () => {
    const file = databaseFile('storage-wal');
    const engine = await SqliteJobEngine.open({ file });

    await engine.submit({ type: 'ETL' });
    await engine.close();

    const db = new Database(file, { readonly: true });

    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare('SELECT count(*) AS count FROM jobs').get()).toEqual({ count: 1 });
    db.close();
  });

  it('refuses a database with a newer schema', async () => {
    const file = databaseFile('storage-newer');
    const db = new Database(file);

    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();

    await expect(SqliteJobEngine.open({ file })).rejects.toThrow(/newer than this engine/u);
  });
});

/** Longer than any test's timeout, so a job that runs was started by a wake and not by a poll. */
const NO_POLL: JobEngineOptions = {
  ...FAST_OPTIONS,
  pollIntervalMs: 600_000,
  leaseMs: 600_000,
  heartbeatIntervalMs: 600_000,
};

describe('SqliteJobEngine wake file', () => {
  const engines: SqliteJobEngine[] = [];

  async function openEngine(storeId: string): Promise<SqliteJobEngine> {
    const engine = await SqliteJobEngine.open({ ...NO_POLL, file: databaseFile(storeId) });

    engines.push(engine);

    return engine;
  }

  afterEach(async () => {
    await Promise.all(engines.splice(0).map(async (engine) => engine.close({ graceMs: 100 })));
  });

  /**
   * Runs one INDEX job on the started worker, so that its write cycles have
   * run and it waits for its next poll, far in the future.
   */
  async function letWorkerIdle(worker: SqliteJobEngine): Promise<void> {
    const job = await worker.submit({ type: 'INDEX' });

    await waitForStatus(worker, job.id, 'succeeded');
  }

  it('starts a job that another engine submits', async () => {
    const worker = await openEngine('wake-submit');
    const submitter = await openEngine('wake-submit');

    worker.registerHandler('ETL', async () => Promise.resolve('done'));
    worker.registerHandler('INDEX', async () => Promise.resolve(null));
    await worker.start();
    await letWorkerIdle(worker);

    const job = await submitter.submit({ type: 'ETL' });
    const finished = await waitForStatus(submitter, job.id, 'succeeded');

    expect(finished.result).toBe('done');
  }, TEST_TIMEOUT_MS);

  it('passes a cancel from another engine to the handler', async () => {
    const worker = await openEngine('wake-cancel');
    const other = await openEngine('wake-cancel');
    const started = deferred();

    worker.registerHandler('ETL', async (_job, { signal }) => {
      started.resolve();
      await sleepUnlessAborted(600_000, signal);

      return null;
    });
    worker.registerHandler('INDEX', async () => Promise.resolve(null));
    await worker.start();

    const job = await worker.submit({ type: 'ETL' });

    await started.promise;
    await letWorkerIdle(worker);
    await other.cancel(job.id);

    const cancelled = await waitForStatus(other, job.id, 'cancelled');

    expect(cancelled.attempts).toBe(1);
  }, TEST_TIMEOUT_MS);
});
