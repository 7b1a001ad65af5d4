import {
  type LoadCommitResult,
  type LoadRequest,
  type LoadTarget,
  type LoadTargetWriter,
} from '../etl.types';

/** A finished load: its request and its rows as COPY text fields (null for `\N`). */
export interface RecordedLoad {
  request: LoadRequest;
  rows: (string | null)[][];
  state: 'committed' | 'aborted';
}

/**
 * A load target that keeps each load's COPY text in memory and splits it
 * back into fields, for tests that compare loaded rows with other output.
 */
export class RecordingLoadTarget implements LoadTarget {
  readonly loads: RecordedLoad[] = [];

  begin(request: LoadRequest): Promise<LoadTargetWriter> {
    let text = '';
    const finish = (state: RecordedLoad['state']): RecordedLoad => {
      const load = { request, rows: parseCopyText(text), state };

      this.loads.push(load);

      return load;
    };

    return Promise.resolve({
      write: (copyText: string) => {
        text += copyText;

        return Promise.resolve();
      },
      commit: (): Promise<LoadCommitResult> => {
        const load = finish('committed');

        return Promise.resolve({ tableId: 't_recorded', rowsLoaded: load.rows.length, alreadyApplied: false });
      },
      abort: () => {
        finish('aborted');

        return Promise.resolve();
      },
    });
  }
}

const ESCAPES: Record<string, string> = { '\\': '\\', t: '\t', n: '\n', r: '\r' };

/** Splits COPY text (tab-separated, `\N` for null, backslash escapes) into rows of fields. */
export function parseCopyText(text: string): (string | null)[][] {
  if (text === '') {
    return [];
  }

  return text
    .slice(0, -1)
    .split('\n')
    .map((line) =>
      line.split('\t').map((field) => (field === '\\N' ? null : field.replace(/\\(.)/g, (_, code: string) => ESCAPES[code] ?? code))),
    );
}
