#!/usr/bin/env node
// Runs every benchmark one after another, each in its own process, after one
// build. Each writes its figures to bench-data/results/<name>.json; the table
// in BENCHMARKS.md is written from those by hand, with the machine's load.
//
//   npm run bench                 every benchmark with its default size
//   npm run bench -- edge sql-load  only these
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// Fast ones first, so a failure shows early. platform builds the whole
// workspace into a folder of its own and starts every service several times.
const BENCHMARKS = ['transform', 'file-reader', 'etl', 'jobs', 'edge', 'sql-query', 'http-ceiling', 'sql-load', 'etl-e2e', 'platform'];

const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !BENCHMARKS.includes(name));

if (unknown.length > 0) {
  console.error(`Unknown benchmark ${unknown.join(', ')}: choose from ${BENCHMARKS.join(', ')}.`);
  process.exit(2);
}

const build = spawnSync(process.execPath, [path.join(root, 'tools/build/build.mjs'), 'bench', 'sql-gateway'], { cwd: root, stdio: 'inherit' });

if (build.status !== 0) {
  process.exit(build.status ?? 1);
}

const failed = [];

for (const name of chosen.length > 0 ? chosen : BENCHMARKS) {
  console.log(`\n=== ${name} ===`);

  const started = Date.now();
  const result = spawnSync(process.execPath, [path.join(root, `dist/tools/bench/src/${name}.bench.js`)], { cwd: root, stdio: 'inherit' });

  console.log(`=== ${name}: ${result.status === 0 ? 'done' : `failed (${result.status ?? result.signal})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  if (result.status !== 0) {
    failed.push(name);
  }
}

if (failed.length > 0) {
  console.error(`\nFailed: ${failed.join(', ')}.`);
  process.exit(1);
}
