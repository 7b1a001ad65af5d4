// Child process of the crash-safety test: it drives the real EmbeddedDocStore
// through one scenario and reports each acknowledged step on standard output,
// until the parent kills it with SIGKILL. The parent compiles this file and
// the library with @swc/core, since the child runs plain Node.
import { randomBytes, randomInt } from 'node:crypto';

import { type BatchWrite } from '../../doc-store';
import { EmbeddedDocStore } from '../embedded-doc-store';
import {
  BATCH_BASELINE_DOCUMENTS,
  CRASH_BATCH_DOCUMENTS,
  type CrashScenario,
} from './crash-scenario';

const MIB = 1024 * 1024;

/** Writes one line to the parent; standard output is a pipe, which Node writes synchronously on Linux. */
function report(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Puts one complete blob, then streams an endless one, reporting progress every 16 MiB. */
async function streamBlob(store: EmbeddedDocStore): Promise<void> {
  const complete = await store.putBlob('done/complete.bin', randomBytes(100_000));

  report(`committed ${complete.path} ${complete.sha256}`);

  async function* endless(): AsyncGenerator<Uint8Array> {
    const block = randomBytes(MIB);

    for (let chunk = 0; ; chunk++) {
      block.writeUInt32BE(chunk, 0);

      yield block;

      if ((chunk + 1) % 16 === 0) {
        report(`progress ${(chunk + 1) * MIB}`);
      }
    }
  }

  await store.putBlob('partial/endless.bin', endless());
  report('finished');
}

/** Puts, re-puts and deletes small blobs in a loop, reporting each acknowledged change. */
async function loopBlobs(store: EmbeddedDocStore): Promise<void> {
  let previous: Buffer | null = null;

  for (let n = 0; ; n++) {
    // Every third blob repeats the previous bytes, so shared content files are in play.
    const bytes: Buffer =
      n % 3 === 2 && previous !== null ? previous : randomBytes(1 + randomInt(256 * 1024));
    const info = await store.putBlob(`loop/${n}`, bytes);

    report(`committed ${info.path} ${info.sha256}`);
    previous = bytes;

    if (n % 5 === 4) {
      await store.deleteBlob(`loop/${n - 2}`);
      report(`deleted loop/${n - 2}`);
    }
  }
}

/** Commits a small baseline batch, then one batch of 500 large documents. */
async function commitLargeBatch(store: EmbeddedDocStore, payloadBytes: number): Promise<void> {
  const baseline: BatchWrite[] = Array.from({ length: BATCH_BASELINE_DOCUMENTS }, (_, index) => ({
    op: 'set',
    collection: 'baseline',
    id: `b${index}`,
    data: { index },
  }));

  await store.commitBatch(baseline);
  report('baseline');

  const payload = 'x'.repeat(payloadBytes);
  const writes: BatchWrite[] = Array.from({ length: CRASH_BATCH_DOCUMENTS }, (_, index) => ({
    op: 'set',
    collection: 'crash',
    id: `c${index}`,
    data: { index, payload },
  }));

  report('batch-start');
  await store.commitBatch(writes);
  report('batch-done');
}

async function main(): Promise<void> {
  const [scenario, directory, payloadBytes] = process.argv.slice(2) as [
    CrashScenario,
    string,
    string | undefined,
  ];
  const store = await EmbeddedDocStore.open({ directory, collectGarbageOnOpen: false });

  report('ready');

  switch (scenario) {
    case 'blob-stream':
      await streamBlob(store);
      break;
    case 'blob-loop':
      await loopBlobs(store);
      break;
    case 'batch':
      await commitLargeBatch(store, Number(payloadBytes ?? 100_000));
      break;
  }

  await store.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
