import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { benchDataPath } from './flights';

/** Describes the machine a figure was measured on, for BENCHMARKS.md. */
export function machineDescription(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';

  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

/** Prints one benchmark's figures and writes them to bench-data/results/<name>.json. */
export function recordResult(name: string, figures: Record<string, unknown>): void {
  const record = { name, measuredAt: new Date().toISOString(), machine: machineDescription(), ...figures };
  const file = benchDataPath('results', `${name}.json`);

  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  console.log(JSON.stringify(record, null, 2));
}
