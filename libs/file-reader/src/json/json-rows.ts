import { type RawValue } from '@rokks/transform';

import { type ChunkBuilder } from '../chunk-builder';
import { describeField, formatCount } from '../describe.util';
import { type JsonElementSink } from './json-array-scanner';
import { parseJsonValue } from './parse-json.util';

/**
 * Turns the JSON objects of a JSON array or NDJSON file into rows in column order,
 * null for a missing key. Without `chunks` it only collects the columns: the union
 * of the keys in first-seen order. With them, the columns are fixed, and an object
 * with a key outside them is reported as a row error, as is a value that is not
 * an object or not valid JSON.
 */
export class JsonRowReader implements JsonElementSink {
  readonly columns: string[];

  private readonly columnIndex = new Map<string, number>();
  private recordNumber = 0;

  constructor(
    columns: readonly string[],
    private readonly chunks: ChunkBuilder | null,
    private readonly sampleBytes: number,
  ) {
    this.columns = [...columns];
    this.columns.forEach((name, index) => this.columnIndex.set(name, index));
  }

  /** The number of values seen so far. */
  get recordCount(): number {
    return this.recordNumber;
  }

  element(text: string, line: number): void {
    this.recordNumber += 1;
    const row = this.recordNumber;
    let value: unknown;

    try {
      value = parseJsonValue(text);
    } catch (error) {
      this.reportError(row, line, `invalid JSON: ${(error as Error).message}`, text, null);

      return;
    }

    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.reportError(row, line, `the value is ${describeKind(value)}, not a JSON object`, text, null);

      return;
    }

    const keys = Object.keys(value);
    const record = value as Record<string, RawValue>;

    if (this.chunks === null) {
      this.collectKeys(keys);

      return;
    }

    const values = new Array<RawValue>(this.columns.length).fill(null);
    const unknownKeys: string[] = [];

    for (const key of keys) {
      const index = this.columnIndex.get(key);

      if (index === undefined) {
        unknownKeys.push(key);
      } else {
        values[index] = record[key];
      }
    }

    if (unknownKeys.length === 0) {
      this.chunks.addRow(values, row, line);

      return;
    }

    const label = unknownKeys.length === 1 ? 'key' : 'keys';
    const names = unknownKeys.map((key) => describeField(key)).join(', ');

    this.reportError(
      row,
      line,
      `${label} ${names} not among the columns found in the first ${formatCount(this.sampleBytes)} bytes; ` +
        'raise sampleBytes to include it',
      text,
      [...values, ...unknownKeys.map((key) => record[key])],
    );
  }

  private collectKeys(keys: string[]): void {
    for (const key of keys) {
      if (!this.columnIndex.has(key)) {
        this.columnIndex.set(key, this.columns.length);
        this.columns.push(key);
      }
    }
  }

  private reportError(row: number, line: number, message: string, raw: string, values: RawValue[] | null): void {
    this.chunks?.addError({ row, line, message: `line ${line}: ${message}`, raw, values });
  }
}

function describeKind(value: unknown): string {
  if (value === null) {
    return 'null';
  }

  if (Array.isArray(value)) {
    return 'an array';
  }

  return `a ${typeof value}`;
}
