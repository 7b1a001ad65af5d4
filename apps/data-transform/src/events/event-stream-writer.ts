import { type ServerResponse } from 'node:http';

/** Server-sent event frame: `event: <name>` and one `data:` line of JSON. */
export function eventFrame(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

export type StreamEndReason = 'finished' | 'client-gone' | 'error' | 'shutdown';

export interface EventStreamWriterOptions {
  heartbeatMs: number;
  /** Event whose frames replace each other while the socket buffer is full, such as `progress`. */
  replaceableEvent?: string;
  /** Called once when the stream ends, for whatever reason. */
  onEnd: (reason: StreamEndReason) => void;
}

interface WaitingFrame {
  replaceable: boolean;
  frame: string;
}

/**
 * Writes server-sent events to a raw response with back-pressure. While the
 * socket buffer is full, frames wait in memory, and a newer frame of the
 * replaceable event takes the place of the waiting one, so a slow client
 * costs at most one progress frame plus the other frames. A heartbeat
 * comment keeps proxies from closing an idle stream.
 */
export class EventStreamWriter {
  private readonly waiting: WaitingFrame[] = [];
  private blocked = false;
  private ended = false;
  /** Set by `finish` while frames still wait: the response ends once they are written. */
  private finishing = false;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly response: ServerResponse,
    private readonly options: EventStreamWriterOptions,
  ) {
    response.on('drain', () => this.flush());
    response.on('close', () => this.end('client-gone'));
    response.on('error', () => this.end('error'));
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n', false), options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** True once the response ended or the client went away; later sends are dropped. */
  get closed(): boolean {
    return this.ended || this.finishing;
  }

  /** Sends one event. */
  send(name: string, data: unknown): void {
    if (this.finishing) {
      return;
    }

    this.write(eventFrame(name, data), name === this.options.replaceableEvent);
  }

  /** Ends the stream after the waiting frames are written. */
  finish(): void {
    if (this.ended || this.finishing) {
      return;
    }

    this.finishing = true;

    if (!this.blocked) {
      this.response.end();
      this.end('finished');
    }
  }

  /** Ends the stream at once, for a server shutdown; the client may reconnect elsewhere. */
  close(): void {
    if (this.ended) {
      return;
    }

    this.response.end();
    this.end('shutdown');
  }

  private write(frame: string, replaceable: boolean): void {
    if (this.ended) {
      return;
    }

    if (this.blocked) {
      const index = replaceable ? this.waiting.findIndex((item) => item.replaceable) : -1;

      if (index >= 0) {
        this.waiting[index] = { replaceable, frame };
      } else {
        this.waiting.push({ replaceable, frame });
      }

      return;
    }

    this.blocked = !this.response.write(frame);
  }

  private flush(): void {
    this.blocked = false;

    while (!this.blocked && !this.ended) {
      const next = this.waiting.shift();

      if (next === undefined) {
        break;
      }

      this.blocked = !this.response.write(next.frame);
    }

    if (!this.blocked && this.finishing && !this.ended) {
      this.response.end();
      this.end('finished');
    }
  }

  private end(reason: StreamEndReason): void {
    if (this.ended) {
      return;
    }

    this.ended = true;
    clearInterval(this.heartbeat);
    this.waiting.length = 0;
    this.options.onEnd(reason);
  }
}
