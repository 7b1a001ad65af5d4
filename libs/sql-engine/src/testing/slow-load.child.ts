// A load that never finishes, for the interruption test: it writes one chunk
// every 20 ms, prints "half" after CHUNKS/2 chunks, and keeps writing until it
// is killed. Run with ts-node: `slow-load.child.ts <database> <load id> <half>`.
import { SqlEngine } from '../sql-engine';
import { TEST_SERVER } from './test-databases';

const CHUNK_ROWS = 500;

async function main(): Promise<void> {
  const [database, loadId, halfText] = process.argv.slice(2);
  const half = Number(halfText);
  const engine = await SqlEngine.open({
    backend: {
      kind: 'postgres',
      connection: { ...TEST_SERVER, database, application_name: 'rokks-slow-load', max: 2 },
    },
  });
  const writer = await engine.beginLoad({
    workspace: 'alpha',
    table: 'events',
    loadId,
    mode: 'append',
    columns: [
      { name: 'n', type: 'integer' },
      { name: 'source', type: 'text' },
    ],
  });

  for (let chunk = 0; ; chunk += 1) {
    const rows = Array.from({ length: CHUNK_ROWS }, (_, index) => [BigInt(chunk * CHUNK_ROWS + index), 'child']);

    await writer.writeRows(rows);

    if (chunk + 1 === half) {
      process.stdout.write('half\n');
    }

    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
