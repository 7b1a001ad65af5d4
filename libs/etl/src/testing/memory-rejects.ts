import { type RejectsSink, type RejectsWriter } from '../etl.types';

/** A rejects sink that keeps each file's text in memory, for tests. */
export class MemoryRejects implements RejectsSink {
  readonly files = new Map<string, string>();
  opened = 0;
  aborted = 0;

  open(): Promise<RejectsWriter> {
    this.opened += 1;

    const id = `rejects-${this.opened}`;
    let text = '';

    return Promise.resolve({
      write: (csvText: string) => {
        text += csvText;

        return Promise.resolve();
      },
      close: () => {
        this.files.set(id, text);

        return Promise.resolve(id);
      },
      abort: () => {
        this.aborted += 1;

        return Promise.resolve();
      },
    });
  }
}
