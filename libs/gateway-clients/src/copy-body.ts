interface Pending {
  chunk: Uint8Array;
  taken: () => void;
}

/**
 * The body of one streaming request, fed by `push`. It contains at most one
 * chunk, because `push` resolves only once the HTTP client has written the
 * chunk and pulls the next one. A producer that awaits each push therefore
 * keeps memory flat.
 */
export class PushedBody implements AsyncIterable<Uint8Array> {
  private pending: Pending | null = null;
  private ended = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;

  /** Queues `chunk`; resolves when the consumer has taken it. */
  push(chunk: Uint8Array): Promise<void> {
    if (this.ended || this.failure !== null) {
      return Promise.reject(new Error('The request body has ended; no more rows can be written.'));
    }

    if (this.pending !== null) {
      return Promise.reject(new Error('A write is still pending; await each write before the next.'));
    }

    return new Promise<void>((resolve) => {
      this.pending = { chunk, taken: resolve };
      this.notify();
    });
  }

  /** Ends the body after the pending chunk. */
  end(): void {
    this.ended = true;
    this.notify();
  }

  /** Fails the body, so the HTTP client aborts the request. */
  fail(error: Error): void {
    this.failure = error;
    this.pending?.taken();
    this.pending = null;
    this.notify();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      if (this.failure !== null) {
        throw this.failure;
      }

      const pending = this.pending;

      if (pending !== null) {
        this.pending = null;

        try {
          yield pending.chunk;
        } finally {
          // The client pulls the next chunk only once this one is written.
          pending.taken();
        }

        continue;
      }

      if (this.ended) {
        return;
      }

      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private notify(): void {
    const wake = this.wake;

    this.wake = null;
    wake?.();
  }
}
