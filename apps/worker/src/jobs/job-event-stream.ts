import { type ServerResponse } from 'node:http';

import { FINISHED_JOB_STATUSES, type Job, type JobEvent } from '@rokks/jobs';

import { toJobView } from './job-schemas';

/** Server-sent event frame: `event: <name>` and one `data:` line of JSON. */
export function eventFrame(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

export interface JobEventStreamOptions {
  heartbeatMs: number;
  /** Reads the job once it finished, for the closing `job` event. */
  readJob: () => Promise<Job | null>;
  /** Called once when the stream ends, for whatever reason. */
  onEnd: (reason: 'finished' | 'client-gone' | 'error' | 'shutdown') => void;
}

/**
 * Writes a job's events to a raw response with back-pressure. While the
 * socket buffer is full, frames wait in memory, and a newer progress frame
 * replaces the waiting one. A slow client therefore costs at most one
 * progress frame plus the status frames. The stream ends after a final status.
 */
export class JobEventStream {
  private readonly waiting: { kind: 'status' | 'progress' | 'other'; frame: string }[] = [];
  private blocked = false;
  private ended = false;
  /** Set once a final status arrived: later engine events are dropped. */
  private closing = false;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly response: ServerResponse,
    private readonly options: JobEventStreamOptions,
  ) {
    response.on('drain', () => this.flush());
    response.on('close', () => this.end('client-gone'));
    response.on('error', () => this.end('error'));
    this.heartbeat = setInterval(() => this.write('other', ': heartbeat\n\n'), options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Sends the job as the first event; ends at once when it already finished. */
  start(job: Job): void {
    this.write('other', eventFrame('job', toJobView(job)));

    if (FINISHED_JOB_STATUSES.includes(job.status)) {
      this.finish();
    }
  }

  /** Sends an engine event; a final status ends the stream after the job's closing snapshot. */
  send(event: JobEvent): void {
    if (this.ended || this.closing) {
      return;
    }

    if (event.kind === 'progress') {
      this.write('progress', eventFrame('progress', { jobId: event.jobId, progress: event.progress, at: event.at }));

      return;
    }

    this.write('status', eventFrame('status', event));

    if (FINISHED_JOB_STATUSES.includes(event.status)) {
      this.closing = true;
      void this.options
        .readJob()
        .then((job) => {
          if (job !== null) {
            this.write('other', eventFrame('job', toJobView(job)));
          }
        })
        .catch(() => undefined)
        .finally(() => this.finish());
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

  private finish(): void {
    if (this.ended) {
      return;
    }

    if (this.blocked) {
      this.waiting.push({ kind: 'other', frame: '' });

      return;
    }

    this.response.end();
    this.end('finished');
  }

  private write(kind: 'status' | 'progress' | 'other', frame: string): void {
    if (this.ended) {
      return;
    }

    if (this.blocked) {
      const index = kind === 'progress' ? this.waiting.findIndex((item) => item.kind === 'progress') : -1;

      if (index >= 0) {
        this.waiting[index] = { kind, frame };
      } else {
        this.waiting.push({ kind, frame });
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
        return;
      }

      if (next.frame === '') {
        this.finish();

        return;
      }

      this.blocked = !this.response.write(next.frame);
    }
  }

  private end(reason: 'finished' | 'client-gone' | 'error' | 'shutdown'): void {
    if (this.ended) {
      return;
    }

    this.ended = true;
    clearInterval(this.heartbeat);
    this.waiting.length = 0;
    this.options.onEnd(reason);
  }
}
