import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { readStream, sha256Hex } from '../testing';
import { EmbeddedDocStore } from './embedded-doc-store';
import { compileLibrary, ReportingChild } from './testing/child-process.util';
import { BATCH_BASELINE_DOCUMENTS, CRASH_BATCH_DOCUMENTS } from './testing/crash-scenario';

const NODE_MODULES = resolve(__dirname, '../../../../node_modules');

let workDirectory: string;
let childScript: string;

async function newStoreDirectory(): Promise<string> {
  return mkdtemp(join(workDirectory, 'store-'));
}

function startChild(args: string[]): ReportingChild {
  // The compiled library lives outside the repository, so NODE_PATH points its requires at node_modules.
  return new ReportingChild(childScript, args, { ...process.env, NODE_PATH: NODE_MODULES });
}

function tempFiles(directory: string): string[] {
  return readdirSync(join(directory, 'blobs', 'tmp'));
}

function objectFiles(directory: string): string[] {
  const objects = join(directory, 'blobs', 'objects');

  return readdirSync(objects).flatMap((shard) => readdirSync(join(objects, shard)));
}

/** Reads every listed blob and checks its bytes against its SHA-256; returns path → SHA-256. */
async function verifyAllBlobs(store: EmbeddedDocStore): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  let startAfter: string | undefined;

  do {
    const page = await store.listBlobs({ limit: 1000, startAfter });

    for (const info of page.blobs) {
      const bytes = await readStream((await store.getBlob(info.path)).stream);

      expect([info.path, bytes.length, sha256Hex(bytes)]).toEqual([
        info.path,
        info.size,
        info.sha256,
      ]);
      found.set(info.path, info.sha256);
    }

    startAfter = page.nextCursor ?? undefined;
  } while (startAfter !== undefined);

  return found;
}

/**
 * Replays the blob-loop child's report lines: the blobs it reported as
 * stored (path → SHA-256), the put it had started, and the delete it had
 * started but not seen finish (the child deletes loop/(n - 2) after each put
 * of loop/n with n % 5 === 4).
 */
function readLoopLog(lines: string[]): {
  present: Map<string, string>;
  putInFlight: string;
  deleteInFlight: string | null;
} {
  const present = new Map<string, string>();
  let putInFlight = 'loop/0';
  let deleteInFlight: string | null = null;

  for (const line of lines) {
    const [event, path, sha256] = line.split(' ');

    if (event === 'committed') {
      const n = Number(path.split('/')[1]);

      present.set(path, sha256);
      putInFlight = `loop/${n + 1}`;
      deleteInFlight = n % 5 === 4 ? `loop/${n - 2}` : null;
    }

    if (event === 'deleted') {
      present.delete(path);
      deleteInFlight = null;
    }
  }

  return { present, putInFlight, deleteInFlight };
}

beforeAll(async () => {
  workDirectory = await mkdtemp(join(tmpdir(), 'doc-store-crash-'));
  childScript = compileLibrary(
    join(workDirectory, 'compiled'),
    join(__dirname, 'testing', 'crash-child.ts'),
  );
});

afterAll(async () => {
  await rm(workDirectory, { recursive: true, force: true });
});

describe('EmbeddedDocStore crash safety', () => {
  it('kill during a blob stream', async () => {
    const directory = await newStoreDirectory();
    const child = startChild(['blob-stream', directory]);
    const committed = await child.waitForLine((line) => line.startsWith('committed '));

    await child.waitForLine(
      (line) => line.startsWith('progress ') && Number(line.split(' ')[1]) >= 64 * 1024 * 1024,
    );

    expect(await child.kill()).toBe('SIGKILL');
    expect(child.lines).not.toContain('finished');
    // The half-written temporary file is still there: the kill really hit the write.
    expect(tempFiles(directory)).toHaveLength(1);

    const store = await EmbeddedDocStore.open({ directory, collectGarbageOnOpen: false });

    try {
      const [, path, sha256] = committed.split(' ');

      expect(await verifyAllBlobs(store)).toEqual(new Map([[path, sha256]]));
      await expect(store.getBlob('partial/endless.bin')).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(store.integrityCheck()).toEqual(['ok']);
      expect(await store.collectGarbage({ staleTempFileAgeMs: 0 })).toEqual({
        removedObjects: 0,
        removedTempFiles: 1,
      });
      expect(tempFiles(directory)).toEqual([]);
      expect(objectFiles(directory)).toEqual([sha256]);
    } finally {
      await store.close();
    }
  }, 60_000);

  it.each([150, 400, 900])(
    'kill during blob puts after %i ms',
    async (delayMs) => {
      const directory = await newStoreDirectory();
      const child = startChild(['blob-loop', directory]);

      await child.waitForLine((line) => line === 'ready');
      // The delay counts from the first stored blob, so a slow machine still
      // kills the child with at least one put acknowledged.
      await child.waitForLine((line) => line.startsWith('committed '));
      await sleep(delayMs);

      expect(await child.kill()).toBe('SIGKILL');

      const log = readLoopLog(child.lines);
      const store = await EmbeddedDocStore.open({ directory });

      try {
        const found = await verifyAllBlobs(store);

        expect(log.present.size).toBeGreaterThan(0);

        // Every acknowledged put is there with its bytes, except the target of a
        // delete in flight, which may be gone. Beyond those, only the put in
        // flight may have committed.
        for (const [path, sha256] of log.present) {
          if (path !== log.deleteInFlight || found.has(path)) {
            expect([path, found.get(path)]).toEqual([path, sha256]);
          }
        }

        expect(
          [...found.keys()].filter((path) => !log.present.has(path) && path !== log.putInFlight),
        ).toEqual([]);
        expect(store.integrityCheck()).toEqual(['ok']);
        await store.collectGarbage({ staleTempFileAgeMs: 0 });
        expect(tempFiles(directory)).toEqual([]);
        expect(new Set(objectFiles(directory))).toEqual(new Set(found.values()));
      } finally {
        await store.close();
      }
    },
    60_000,
  );

  it('kill during a large batch', async () => {
    const outcomes: string[] = [];

    for (const delayMs of [20, 80, 200, 500]) {
      const directory = await newStoreDirectory();
      const child = startChild(['batch', directory, '100000']);

      await child.waitForLine((line) => line === 'batch-start');
      await sleep(delayMs);

      const signal = await child.kill();
      const finished = child.lines.includes('batch-done');

      // A child that finished the batch before the kill may have exited on its own.
      expect(finished ? [null, 'SIGKILL'] : ['SIGKILL']).toContain(signal);

      const store = await EmbeddedDocStore.open({ directory });

      try {
        const baseline = await store.queryDocuments('baseline', { limit: 1000 });
        const crashed = await store.queryDocuments('crash', {
          orderBy: [['index', 'asc']],
          limit: 1000,
        });

        expect(baseline.documents).toHaveLength(BATCH_BASELINE_DOCUMENTS);
        expect([0, CRASH_BATCH_DOCUMENTS]).toContain(crashed.documents.length);
        expect(crashed.documents.map((document) => document.data.index)).toEqual(
          crashed.documents.length === 0
            ? []
            : Array.from({ length: CRASH_BATCH_DOCUMENTS }, (_, index) => index),
        );

        if (finished) {
          expect(crashed.documents).toHaveLength(CRASH_BATCH_DOCUMENTS);
        }

        expect(store.integrityCheck()).toEqual(['ok']);
        if (finished) {
          outcomes.push('finished');
        } else {
          outcomes.push(crashed.documents.length === 0 ? 'absent' : 'whole');
        }
      } finally {
        await store.close();
      }
    }

    // At least one kill has to land before the batch returned, or the test proved nothing.
    expect(outcomes.filter((outcome) => outcome !== 'finished').length).toBeGreaterThan(0);
  }, 120_000);
});
