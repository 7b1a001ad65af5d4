import { useEffect, useState } from 'react';

import { apiEvents, apiJson } from '../api/client';
import { type Job, type JobProgress, type JobStatus, TERMINAL_JOB_STATUSES } from '../api/types';

const POLL_INTERVAL_MS = 1000;

/** Caps the event list of a long job. The job itself always has the latest counts. */
const MAX_KEPT_EVENTS = 200;

/** One event of a job's stream, as shown in the job's event list. */
export interface JobStreamEvent {
  /** The event's name: `job`, `status` or `progress`. */
  kind: string;
  /** The server's time of a status or progress change, or of the last change in a `job` snapshot. */
  at: string;
  text: string;
}

interface StatusEvent {
  status: JobStatus;
  attempts: number;
  error: string | null;
  at: string;
}

interface ProgressEvent {
  progress: JobProgress;
  at: string;
}

function describeProgress(progress: JobProgress): string {
  return `${progress.rowsRead} rows read, ${progress.rowsLoaded} loaded, ${progress.rowsRejected} rejected`;
}

/**
 * Applies one server-sent event to the job. Returns the updated job and the
 * event's entry for the list, or null for an event this app does not know.
 */
export function applyEvent(
  job: Job | null,
  name: string,
  data: string,
): { job: Job | null; entry: JobStreamEvent } | null {
  switch (name) {
    case 'job': {
      const next = JSON.parse(data) as Job;

      return {
        job: next,
        entry: {
          kind: name,
          at: next.finishedAt ?? next.startedAt ?? next.createdAt,
          text: `Job ${next.status}: ${describeProgress(next.progress ?? emptyProgress())}.`,
        },
      };
    }

    case 'status': {
      const event = JSON.parse(data) as StatusEvent;
      const text =
        event.error === null
          ? `Status ${event.status} (attempt ${event.attempts}).`
          : `Status ${event.status} (attempt ${event.attempts}): ${event.error}`;

      return {
        job:
          job === null
            ? null
            : { ...job, status: event.status, attempts: event.attempts, error: event.error },
        entry: { kind: name, at: event.at, text },
      };
    }

    case 'progress': {
      const event = JSON.parse(data) as ProgressEvent;

      return {
        job: job === null ? null : { ...job, progress: event.progress },
        entry: { kind: name, at: event.at, text: `Progress: ${describeProgress(event.progress)}.` },
      };
    }

    default:
      return null;
  }
}

/** Progress of a job that has not reported any. */
export function emptyProgress(): JobProgress {
  return { rowsRead: 0, rowsLoaded: 0, rowsRejected: 0 };
}

/**
 * Follows a job until it ends: its event stream first, then polling
 * `GET /api/jobs/{id}` if the stream closes early (a proxy timeout, say).
 * `setJob` replaces the job shown, with a cancel request's answer for example.
 */
export function useJob(jobId: string | null): {
  job: Job | null;
  events: JobStreamEvent[];
  error: unknown;
  setJob: (job: Job) => void;
} {
  const [job, setJob] = useState<Job | null>(null);
  const [events, setEvents] = useState<JobStreamEvent[]>([]);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    setJob(null);
    setEvents([]);
    setError(null);

    if (jobId === null) {
      return;
    }

    const controller = new AbortController();
    const path = `/api/jobs/${encodeURIComponent(jobId)}`;

    const follow = async (): Promise<void> => {
      let last: Job | null = null;

      try {
        for await (const event of apiEvents(`${path}/events`, controller.signal)) {
          const applied = applyEvent(last, event.event, event.data);

          if (applied === null) {
            continue;
          }

          last = applied.job;
          setJob(last);
          setEvents((previous) => [...previous, applied.entry].slice(-MAX_KEPT_EVENTS));

          // The stream ends with a `job` event after a final status.
          if (
            event.event === 'job' &&
            last !== null &&
            TERMINAL_JOB_STATUSES.includes(last.status)
          ) {
            return;
          }
        }

        while (last === null || !TERMINAL_JOB_STATUSES.includes(last.status)) {
          last = await apiJson<Job>(path, { signal: controller.signal });
          setJob(last);
          await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
        }
      } catch (caught) {
        if (!controller.signal.aborted) {
          setError(caught);
        }
      }
    };

    void follow();

    return () => controller.abort();
  }, [jobId]);

  return { job, events, error, setJob };
}

/** Returns the job's error in words, whatever shape the server sent. */
export function jobErrorText(job: Job): string {
  if (typeof job.error === 'string') {
    return job.error;
  }

  return job.error?.message ?? 'The job failed without a message.';
}
