// Compares two ways of loading chunks into PGlite inside one transaction:
// `COPY … FROM '/dev/blob'` with each chunk as a Blob, and multi-row INSERTs
// with parameters. Run from the repository root:
//   node libs/sql-engine/benchmarks/pglite-copy.bench.mjs [rows] [chunkRows]
import { PGlite } from '@electric-sql/pglite';

const totalRows = Number(process.argv[2] ?? 100_000);
const chunkRows = Number(process.argv[3] ?? 5_000);
const insertRows = 1_000;
const rows = Array.from({ length: totalRows }, (_, index) => [
  String(index),
  `name ${index} with a "quote"`,
  String(index * 1.5),
  `2024-01-0${1 + (index % 9)}`,
  index % 2 === 0 ? 't' : 'f',
]);

// The first PGlite instance of a process pays for compiling the WebAssembly
// module: open one before measuring.
await (await PGlite.create()).close();

async function timed(label, run) {
  const db = await PGlite.create();

  await db.exec('CREATE TABLE t (a bigint, b text, c double precision, d date, e boolean)');

  const started = performance.now();

  await db.transaction(run);

  const elapsed = performance.now() - started;
  const count = (await db.query('SELECT count(*)::int AS n FROM t')).rows[0].n;

  console.log(`${label}: ${count} rows in ${elapsed.toFixed(0)} ms`);
  await db.close();
}

await timed(`COPY FROM '/dev/blob', ${chunkRows} rows per chunk`, async (tx) => {
  for (let start = 0; start < totalRows; start += chunkRows) {
    const text = rows.slice(start, start + chunkRows).map((row) => `${row.join('\t')}\n`).join('');

    await tx.query("COPY t FROM '/dev/blob'", [], { blob: new Blob([text]) });
  }
});

await timed(`INSERT with ${insertRows} rows per statement`, async (tx) => {
  for (let start = 0; start < totalRows; start += insertRows) {
    const params = [];
    const tuples = rows.slice(start, start + insertRows).map((row) => {
      const placeholders = row.map((value) => {
        params.push(value);

        return `$${params.length}`;
      });

      return `(${placeholders.join(', ')})`;
    });

    await tx.query(`INSERT INTO t VALUES ${tuples.join(', ')}`, params);
  }
});
