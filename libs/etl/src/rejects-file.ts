import { EtlError } from './etl.error';
import { type RejectsSink, type RejectsWriter, type RowProblem } from './etl.types';

/** The header of a rejects file. */
export const REJECTS_HEADER = ['line', 'row', 'column', 'value', 'reason', 'record'] as const;

/**
 * Writes rejected rows as CSV (RFC 4180, LF line ends): the source line, the
 * record number, the column, the raw value, the reason, and the raw record
 * text of a ragged or malformed record. An empty field is null and `""` is an
 * empty string, as the file reader reads them. The file is opened on the
 * first rejected row, so a run without rejects creates none.
 */
export class RejectsFile {
  private writer: RejectsWriter | null = null;
  private closed = false;

  constructor(private readonly sink: RejectsSink) {}

  async add(problems: readonly RowProblem[]): Promise<void> {
    if (problems.length === 0) {
      return;
    }

    let text = '';

    for (const problem of problems) {
      text += formatRejectLine(problem);
    }

    await guard(async () => {
      if (this.writer === null) {
        this.writer = await this.sink.open();
        text = `${REJECTS_HEADER.join(',')}\n${text}`;
      }

      await this.writer.write(text);
    });
  }

  /** Finishes the file and returns its id, or undefined when no row was rejected. */
  async close(): Promise<string | undefined> {
    const writer = this.writer;

    if (writer === null) {
      return undefined;
    }

    this.closed = true;

    return guard(() => writer.close());
  }

  /** Discards a file that is still open. */
  async abort(): Promise<void> {
    if (this.writer !== null && !this.closed) {
      this.closed = true;
      await this.writer.abort();
    }
  }
}

export function formatRejectLine(problem: RowProblem): string {
  const fields = [
    problem.line === null ? null : String(problem.line),
    String(problem.row),
    problem.column,
    problem.value,
    problem.message,
    problem.record,
  ];

  return `${fields.map(csvField).join(',')}\n`;
}

function csvField(value: string | null): string {
  if (value === null) {
    return '';
  }

  return value === '' || /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new EtlError('REJECTS_FAILED', `the rejects file could not be written: ${String(error)}`, {}, { cause: error });
  }
}
