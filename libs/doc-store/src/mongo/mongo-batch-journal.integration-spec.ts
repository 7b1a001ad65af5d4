import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { type Document, MongoClient } from 'mongodb';

import { MongoWireServer, workspaceTempDir } from '@rokks/testing';

import { compileLibrary, ReportingChild } from '../embedded/testing/child-process.util';
import { expectDocStoreError } from '../testing';
import { MongoDocStore } from './mongo-doc-store';
import { documentCollectionName, META_COLLECTIONS } from './mongo-names.util';

// Batches on a server without transactions (the wire-protocol test server
// is a standalone MongoDB): the journal, conflicts with concurrent writers,
// and the rollback of a batch whose writer was killed halfway.

const NODE_MODULES = resolve(__dirname, '../../../../node_modules');
const DATABASE = 'journal';

let server: MongoWireServer;
let store: MongoDocStore;
let other: MongoDocStore;
let counter = 0;

function uniqueCollection(prefix: string): string {
  counter += 1;

  return `${prefix}_${Date.now().toString(36)}_${counter}`;
}

/** Returns the `_id` of an update command's first statement: the document the store writes. */
function updatedId(command: Document): unknown {
  const updates = command.updates as { q?: { _id?: unknown } }[] | undefined;

  return updates?.[0]?.q?._id;
}

function journal(database = DATABASE): { headers: Document[]; entries: Document[] } {
  return {
    headers: server.documents(database, META_COLLECTIONS.batches),
    entries: server.documents(database, META_COLLECTIONS.batchEntries),
  };
}

beforeAll(async () => {
  server = await MongoWireServer.start();
  store = await MongoDocStore.open({
    url: server.url,
    databaseName: DATABASE,
    recoveryIntervalMs: 0,
  });
  other = await MongoDocStore.open({
    url: server.url,
    databaseName: DATABASE,
    recoveryIntervalMs: 0,
  });
});

afterAll(async () => {
  await store?.close();
  await other?.close();
  await server?.close();
});

afterEach(() => {
  server.onCommand(undefined);
});

describe('batches without transactions', () => {
  it('use the journal on a standalone server', () => {
    expect(store.usesTransactions).toBe(false);
  });

  it('start over after a concurrent write', async () => {
    const collection = uniqueCollection('conflict');
    let interfered = false;
    let headers = 0;

    await store.setDocument(collection, 'a', { n: 0 });
    await store.setDocument(collection, 'b', { n: 0 });
    server.onCommand(async (event) => {
      if (event.name === 'insert' && event.command.insert === META_COLLECTIONS.batches) {
        headers++;
      }

      // The batch writes b after a: change b just before that write.
      if (
        !interfered &&
        event.name === 'update' &&
        event.command.update === documentCollectionName(collection) &&
        updatedId(event.command) === 'b'
      ) {
        interfered = true;
        await other.mergeDocument(collection, 'b', { concurrent: true });
      }

      return undefined;
    });

    const results = await store.commitBatch([
      { op: 'merge', collection, id: 'a', data: { batch: 1 } },
      { op: 'merge', collection, id: 'b', data: { batch: 1 } },
    ]);

    expect(interfered).toBe(true);
    expect(headers).toBe(2);
    expect((await store.getDocument(collection, 'a')).data).toEqual({ n: 0, batch: 1 });
    expect((await store.getDocument(collection, 'b')).data).toEqual({
      n: 0,
      batch: 1,
      concurrent: true,
    });
    expect(results[1].document?.data).toEqual({ n: 0, batch: 1, concurrent: true });
    expect(journal()).toEqual({ headers: [], entries: [] });
  });

  it('check preconditions again after a conflict', async () => {
    const collection = uniqueCollection('recheck');
    const a = await store.setDocument(collection, 'a', { n: 0 });
    const b = await store.setDocument(collection, 'b', { n: 0 });
    let interfered = false;

    server.onCommand(async (event) => {
      if (
        !interfered &&
        event.name === 'update' &&
        event.command.update === documentCollectionName(collection) &&
        updatedId(event.command) === 'b'
      ) {
        interfered = true;
        await other.mergeDocument(collection, 'b', { concurrent: true });
      }

      return undefined;
    });

    const error = await expectDocStoreError(
      store.commitBatch([
        { op: 'merge', collection, id: 'a', data: { batch: 1 } },
        {
          op: 'set',
          collection,
          id: 'b',
          data: { batch: 1 },
          precondition: { version: b.version },
        },
      ]),
      'PRECONDITION_FAILED',
    );
    const restored = await store.getDocument(collection, 'a');

    expect(error.details).toMatchObject({ batchIndex: 1, expectedVersion: b.version });
    // The write to a was undone; the restored document gets a new, larger version.
    expect(restored.data).toEqual({ n: 0 });
    expect(restored.version).toBeGreaterThan(a.version);
    expect((await store.getDocument(collection, 'b')).data).toEqual({ n: 0, concurrent: true });
    expect(journal()).toEqual({ headers: [], entries: [] });
  });

  it('recovery leaves a batch in progress alone', async () => {
    const collection = uniqueCollection('live');
    let release: (() => void) | undefined;
    let held: (() => void) | undefined;
    const reached = new Promise<void>((resolveReached) => {
      held = resolveReached;
    });

    await store.setDocument(collection, 'a', { n: 0 });
    server.onCommand(async (event) => {
      if (
        release === undefined &&
        event.name === 'update' &&
        event.command.update === documentCollectionName(collection)
      ) {
        await new Promise<void>((resolveRelease) => {
          release = resolveRelease;
          held?.();
        });
      }

      return undefined;
    });

    const batch = store.commitBatch([{ op: 'merge', collection, id: 'a', data: { batch: 1 } }]);

    await reached;

    const recovery = await other.recover();

    expect(recovery.rolledBackBatches).toBe(0);
    expect(journal().headers).toHaveLength(1);
    release?.();
    await batch;
    expect((await store.getDocument(collection, 'a')).data).toEqual({ n: 0, batch: 1 });
    expect(journal()).toEqual({ headers: [], entries: [] });
  });

  it('recovery removes entries without a header', async () => {
    const client = new MongoClient(server.url);

    try {
      await client
        .db(DATABASE)
        .collection(META_COLLECTIONS.batchEntries)
        .insertOne({
          batchId: 'finished-long-ago',
          seq: 0,
          collection: 'doc.x',
          id: 'x',
          before: null,
          after: null,
          createdAt: new Date(0),
        });

      await store.recover();

      expect(journal().entries).toEqual([]);
    } finally {
      await client.close();
    }
  });
});

describe('a batch whose writer is killed', () => {
  const documents = 500;
  const killAt = 200;
  const leaseMs = 5000;
  let workDirectory: string;
  let childScript: string;

  beforeAll(async () => {
    workDirectory = workspaceTempDir('mongo-journal-crash-');
    childScript = compileLibrary(
      workDirectory,
      join(__dirname, 'testing', 'journal-crash-child.ts'),
    );
  });

  afterAll(async () => {
    await rm(workDirectory, { recursive: true, force: true });
  });

  it('is rolled back once its lease runs out', async () => {
    const database = 'crash';
    const collection = uniqueCollection('crash');
    const seeded = await MongoDocStore.open({
      url: server.url,
      databaseName: database,
      recoveryIntervalMs: 0,
    });
    const name = documentCollectionName(collection);
    let child: ReportingChild | undefined;
    let updates = 0;
    let killed: Promise<NodeJS.Signals | null> | undefined;

    try {
      await seeded.commitBatch(
        Array.from({ length: documents }, (_, index) => ({
          op: 'set' as const,
          collection,
          id: `d${String(index).padStart(4, '0')}`,
          data: { index, state: 'before' },
        })),
      );

      const baseline = new Map(
        server
          .documents(database, name)
          .map((document) => [document._id as string, document.version as number]),
      );

      server.onCommand((event) => {
        if (
          event.database !== database ||
          event.name !== 'update' ||
          event.command.update !== name
        ) {
          return undefined;
        }

        updates++;

        if (updates < killAt) {
          return undefined;
        }

        // SIGKILL, and the write that was on its way never arrives.
        killed ??= child?.kill();

        return 'drop';
      });
      child = new ReportingChild(
        childScript,
        [server.url, database, collection, String(documents), String(leaseMs)],
        {
          ...process.env,
          NODE_PATH: NODE_MODULES,
        },
      );
      await child.waitForLine((line) => line === 'batch started');

      expect(await waitFor(() => killed)).toBe('SIGKILL');
      expect(child.lines).not.toContain('batch committed');
      server.onCommand(undefined);

      const stateAfterCrash = server.documents(database, name);

      // Half a batch is visible until recovery: this is the gap of the fallback.
      expect(
        stateAfterCrash.filter(
          (document) => (document.data as { state: string }).state === 'after',
        ),
      ).toHaveLength(killAt - 1);
      expect(journal(database).headers).toHaveLength(1);
      expect(journal(database).entries).toHaveLength(documents);

      // The lease is still running: a recovery pass now leaves the batch alone.
      expect((await seeded.recover()).rolledBackBatches).toBe(0);

      const leaseUntil = journal(database).headers[0].leaseUntil as Date;

      await sleep(Math.max(0, leaseUntil.getTime() - Date.now()) + 50);

      expect((await seeded.recover()).rolledBackBatches).toBe(1);

      const recovered = server.documents(database, name);

      expect(recovered).toHaveLength(documents);
      expect(
        recovered.every((document) => (document.data as { state: string }).state === 'before'),
      ).toBe(true);
      // Restored documents get new versions, so no version goes back.
      expect(
        recovered.every(
          (document) =>
            (document.version as number) >= (baseline.get(document._id as string) ?? Infinity),
        ),
      ).toBe(true);
      expect(journal(database)).toEqual({ headers: [], entries: [] });
    } finally {
      server.onCommand(undefined);
      await child?.kill();
      await seeded.close();
    }
  }, 60_000);
});

/** Polls until `read` returns a promise, then awaits it. */
async function waitFor<T>(read: () => Promise<T> | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;

  while (Date.now() < deadline) {
    const value = read();

    if (value !== undefined) {
      return value;
    }

    await sleep(20);
  }

  throw new Error(`Nothing happened within ${timeoutMs} ms.`);
}
