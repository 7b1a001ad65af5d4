import { closeSync, openSync, watch, type FSWatcher, writeSync } from 'node:fs';

import { type Logger } from 'pino';

const MARK = Buffer.from([0]);

/**
 * A file next to the job database (`<file>-wake`) through which engines in
 * other processes learn at once that a commit may have made work due or
 * requested a cancel. An engine writes one byte into it after such a commit,
 * and started engines watch it (inotify on Linux). The database stays the
 * only source of truth: a missed or spurious wake costs at most one poll
 * interval or one read.
 *
 * Watching the database's WAL file would not do, because SQLite writes the
 * frames of a commit there before it makes the commit visible to readers,
 * so a woken engine could read too early.
 */
export class WakeFile {
  readonly path: string;
  private fd: number | undefined;
  private watcher: FSWatcher | undefined;
  private failureLogged = false;

  constructor(
    databaseFile: string,
    private readonly logger: Logger,
  ) {
    this.path = `${databaseFile}-wake`;
  }

  /** Wakes the engines that watch the file. A failure is logged once and otherwise ignored. */
  notify(): void {
    try {
      this.fd ??= openSync(this.path, 'w');
      writeSync(this.fd, MARK, 0, 1, 0);
    } catch (error) {
      this.logFailure(error, 'job wake file write failed; other engines see new jobs at their next poll');
    }
  }

  /** Calls `onWake` after each write to the file by any engine, this one included. */
  watch(onWake: () => void): void {
    if (this.watcher !== undefined) {
      return;
    }

    try {
      // Created first, because fs.watch needs an existing file.
      this.fd ??= openSync(this.path, 'w');
      this.watcher = watch(this.path, { persistent: false }, onWake);
      this.watcher.on('error', (error) => {
        this.logFailure(error, 'job wake file watch failed; this engine polls instead');
        this.unwatch();
      });
    } catch (error) {
      this.logFailure(error, 'job wake file watch failed; this engine polls instead');
    }
  }

  unwatch(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  close(): void {
    this.unwatch();

    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }

  private logFailure(error: unknown, message: string): void {
    if (!this.failureLogged) {
      this.failureLogged = true;
      this.logger.warn({ err: error, file: this.path }, message);
    }
  }
}
