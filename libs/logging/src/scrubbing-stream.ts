import { type DestinationStream } from 'pino';

import { scrubSecretValues } from './secret-values';

/**
 * Destination stream that removes registered secret values from each line
 * before it reaches the real destination. Every logger made by
 * `createLogger` writes through one of these, so no call site can bypass it.
 */
export class ScrubbingStream implements DestinationStream {
  constructor(private readonly destination: DestinationStream) {}

  write(line: string): void {
    this.destination.write(scrubSecretValues(line));
  }

  /** Flushes a synchronous destination (pino's `destination()` has this). */
  flushSync(): void {
    const flushable = this.destination as DestinationStream & { flushSync?: () => void };

    flushable.flushSync?.();
  }
}
