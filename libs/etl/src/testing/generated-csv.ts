/** Counters of a generated source: what the pipeline has pulled so far, and whether it closed the source. */
export interface SourceCounter {
  rows: number;
  bytes: number;
  pieces: number;
  closed: boolean;
}

export interface GeneratedCsvOptions {
  rows: number;
  /** Rows per piece the source yields; default 1,000. */
  rowsPerPiece?: number;
  /** Milliseconds to wait before each piece; default 0. */
  delayMs?: number;
  /** Replaces the line of data row `n` (1-based) with other text. */
  replaceRow?: (n: number) => string | null;
}

export const GENERATED_HEADER = 'id,name,amount,day,note';

/** Returns the line of generated data row `n` (1-based), without its line end. */
export function generatedRow(n: number): string {
  const day = String((n % 28) + 1).padStart(2, '0');

  return `${n},name_${n % 997},${(n * 0.25).toFixed(2)},2024-02-${day},"note ${n}, with a comma"`;
}

/**
 * Generates a CSV file piece by piece without holding it: `id` integer,
 * `name` text, `amount` float, `day` date and a quoted `note`.
 */
export async function* generateCsv(options: GeneratedCsvOptions, counter: SourceCounter): AsyncGenerator<Buffer> {
  const rowsPerPiece = options.rowsPerPiece ?? 1000;

  try {
    const header = Buffer.from(`${GENERATED_HEADER}\n`);

    counter.bytes += header.length;
    yield header;

    for (let first = 1; first <= options.rows; first += rowsPerPiece) {
      if ((options.delayMs ?? 0) > 0) {
        await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      }

      const lines: string[] = [];
      const last = Math.min(options.rows, first + rowsPerPiece - 1);

      for (let n = first; n <= last; n += 1) {
        lines.push(options.replaceRow?.(n) ?? generatedRow(n));
      }

      const piece = Buffer.from(`${lines.join('\n')}\n`);

      counter.rows = last;
      counter.bytes += piece.length;
      counter.pieces += 1;
      yield piece;
    }
  } finally {
    counter.closed = true;
  }
}

export function newCounter(): SourceCounter {
  return { rows: 0, bytes: 0, pieces: 0, closed: false };
}
