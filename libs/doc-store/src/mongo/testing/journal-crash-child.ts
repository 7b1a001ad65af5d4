// Child process of the journal crash test: it applies one large batch
// through MongoDocStore without transactions and reports its steps, until
// the parent kills it with SIGKILL in the middle of the batch. The parent
// compiles the library with @swc/core, since the child runs plain Node.
import { type BatchWrite } from '../../doc-store';
import { MongoDocStore } from '../mongo-doc-store';

function report(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const [url, databaseName, collection, countText, leaseText] = process.argv.slice(2);
  const store = await MongoDocStore.open({
    url,
    databaseName,
    batchLeaseMs: Number(leaseText),
    recoveryIntervalMs: 0,
  });
  const writes: BatchWrite[] = Array.from({ length: Number(countText) }, (_, index) => ({
    op: 'merge',
    collection,
    id: `d${String(index).padStart(4, '0')}`,
    data: { state: 'after' },
  }));

  report('batch started');
  await store.commitBatch(writes);
  report('batch committed');
  await store.close();
}

main().catch((error: unknown) => {
  report(`failed ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
