import { useCallback, useEffect, useRef, useState } from 'react';
import { Button } from 'react-aria-components';

import { apiJson } from '../api/client';
import { type Job, type JobLogPage, TERMINAL_JOB_STATUSES } from '../api/types';
import { Link } from '../app/router';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatTime } from '../components/format-time';
import { RejectsDownload } from '../components/RejectsDownload';
import { emptyProgress, jobErrorText, useJob } from '../jobs/use-job';

/** Log lines read per request (the worker allows up to 1000). */
const LOG_PAGE_SIZE = 500;

/** How often new log lines are read while the job runs. */
const LOG_POLL_INTERVAL_MS = 2000;

/** Shows one job: its status and progress, live events, log lines and a Cancel button while it runs. */
export function JobPage({ jobId }: { jobId: string }) {
  const { job, events, error, setJob } = useJob(jobId);
  const [cancelError, setCancelError] = useState<unknown>(null);
  const [cancelling, setCancelling] = useState(false);
  const [cancelRequested, setCancelRequested] = useState(false);
  const finished = job !== null && TERMINAL_JOB_STATUSES.includes(job.status);

  const cancel = async (): Promise<void> => {
    setCancelling(true);
    setCancelError(null);

    try {
      setJob(
        await apiJson<Job>(`/api/jobs/${encodeURIComponent(jobId)}/cancel`, { method: 'POST' }),
      );
      setCancelRequested(true);
    } catch (caught) {
      setCancelError(caught);
    } finally {
      setCancelling(false);
    }
  };

  return (
    <section>
      <p>
        <Link to="/jobs">← All jobs</Link>
      </p>
      <h1>Job {jobId}</h1>
      <ErrorMessage error={error} context="Following the job failed" />
      {job === null ? (
        error === null ? (
          <p role="status">Loading…</p>
        ) : null
      ) : (
        <>
          <JobFacts job={job} />
          {finished ? null : (
            <Button className="danger" isPending={cancelling} onPress={() => void cancel()}>
              {cancelling ? 'Cancelling…' : 'Cancel job'}
            </Button>
          )}
          {cancelRequested && !finished ? (
            <p role="status">
              Cancel requested. A running job stops at its next checkpoint, so it may load a few
              more rows first.
            </p>
          ) : null}
          <ErrorMessage error={cancelError} context="Cancelling the job failed" />
        </>
      )}
      <h2>Events</h2>
      {events.length === 0 ? (
        <p>No events yet.</p>
      ) : (
        <ol className="events" aria-live="polite" data-testid="job-events">
          {events.map((event, index) => (
            <li key={index}>
              <time dateTime={event.at}>{formatTime(event.at)}</time> {event.text}
            </li>
          ))}
        </ol>
      )}
      <JobLog jobId={jobId} finished={finished} />
    </section>
  );
}

function JobFacts({ job }: { job: Job }) {
  const progress = job.progress ?? emptyProgress();

  return (
    <dl className="facts" data-testid="job-facts" data-status={job.status}>
      <dt>Type</dt>
      <dd>{job.type}</dd>
      <dt>Status</dt>
      <dd>
        <span className={`badge ${job.status}`}>{job.status}</span>
      </dd>
      <dt>Attempts</dt>
      <dd>{job.attempts}</dd>
      <dt>Progress</dt>
      <dd>
        {progress.rowsRead} rows read, {progress.rowsLoaded} loaded, {progress.rowsRejected}{' '}
        rejected
      </dd>
      <dt>Created</dt>
      <dd>{formatTime(job.createdAt)}</dd>
      <dt>Started</dt>
      <dd>{formatTime(job.startedAt)}</dd>
      <dt>Finished</dt>
      <dd>{formatTime(job.finishedAt)}</dd>
      {job.result !== null && job.status === 'succeeded' ? (
        <>
          <dt>Table</dt>
          <dd>
            <Link to={`/tables/${job.result.tableId}`}>{job.result.table}</Link>
          </dd>
          {job.result.rejectsFileId === undefined ? null : (
            <>
              <dt>Rejected rows</dt>
              <dd>
                <RejectsDownload fileId={job.result.rejectsFileId} table={job.result.table} />
              </dd>
            </>
          )}
        </>
      ) : null}
      {job.status === 'failed' || (job.status === 'cancelled' && job.error !== null) ? (
        <>
          <dt>{job.status === 'failed' ? 'Error' : 'Reason'}</dt>
          <dd className="error">{jobErrorText(job)}</dd>
        </>
      ) : null}
    </dl>
  );
}

/** The log lines shown, with what the last read returned. */
interface LogState extends JobLogPage {
  /** The last read returned a full page, so more lines may be waiting. */
  lastPageFull: boolean;
  /** The job had already finished when the last read was sent. */
  readAfterFinish: boolean;
}

/** Shows the job's log lines, a page at a time, and follows new lines while the job runs. */
export function JobLog({ jobId, finished }: { jobId: string; finished: boolean }) {
  const [log, setLog] = useState<LogState | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const path = `/api/jobs/${encodeURIComponent(jobId)}/logs`;
  const logRef = useRef<LogState | null>(null);
  const finishedRef = useRef(finished);

  logRef.current = log;
  finishedRef.current = finished;

  /** Reads the lines from `offset` on and puts them after the first `offset` lines already shown. */
  const readFrom = useCallback(
    async (offset: number, signal?: AbortSignal): Promise<void> => {
      const readAfterFinish = finishedRef.current;
      const page = await apiJson<JobLogPage>(`${path}?offset=${offset}&limit=${LOG_PAGE_SIZE}`, {
        signal,
      });

      setLog((previous) => ({
        lines: [...(previous?.lines.slice(0, offset) ?? []), ...page.lines],
        total: page.total,
        lastPageFull: page.lines.length >= LOG_PAGE_SIZE,
        readAfterFinish,
      }));
    },
    [path],
  );

  const fail = (signal: AbortSignal) => (caught: unknown) => {
    if (!signal.aborted) {
      setError(caught);
    }
  };

  useEffect(() => {
    const controller = new AbortController();

    setLog(null);
    setError(null);
    readFrom(0, controller.signal).catch(fail(controller.signal));

    return () => controller.abort();
  }, [readFrom]);

  // While every line so far is shown, new ones are read: at once after a full
  // page, every poll interval while the job runs, and once after it ends.
  useEffect(() => {
    const current = logRef.current;

    if (current === null || current.lines.length < current.total) {
      return;
    }

    let delay: number;

    if (current.lastPageFull) {
      delay = 0;
    } else if (!finished) {
      delay = LOG_POLL_INTERVAL_MS;
    } else if (!current.readAfterFinish) {
      delay = 0;
    } else {
      return;
    }

    const controller = new AbortController();
    const timer = setTimeout(
      () => void readFrom(current.lines.length, controller.signal).catch(fail(controller.signal)),
      delay,
    );

    return () => {
      clearTimeout(timer);
      controller.abort();
    };
    // `log` is a dependency so that each read schedules the next.
  }, [log, finished, readFrom]);

  const loadMore = async (): Promise<void> => {
    setLoadingMore(true);
    setError(null);

    try {
      await readFrom(logRef.current?.lines.length ?? 0);
    } catch (caught) {
      setError(caught);
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <>
      <h2>Log</h2>
      <ErrorMessage error={error} context="Loading the job's log failed" />
      {log === null ? null : log.lines.length === 0 ? (
        <p>{finished ? 'No log lines.' : 'No log lines yet.'}</p>
      ) : (
        <>
          <ol
            className="events log-lines"
            data-testid="job-log"
            tabIndex={0}
            aria-label="Log lines"
          >
            {log.lines.map((line, index) => (
              <li key={index}>
                <time dateTime={line.at}>{formatTime(line.at)}</time> (attempt {line.attempt}){' '}
                {line.message}
              </li>
            ))}
          </ol>
          <p className="help">
            {log.lines.length === log.total
              ? `${log.total} ${log.total === 1 ? 'line' : 'lines'}${finished ? '.' : ', following new lines.'}`
              : `Showing the first ${log.lines.length} of ${log.total} lines.`}
          </p>
          {log.lines.length < log.total ? (
            <Button isPending={loadingMore} onPress={() => void loadMore()}>
              {loadingMore
                ? 'Loading…'
                : `Load ${Math.min(LOG_PAGE_SIZE, log.total - log.lines.length)} more lines`}
            </Button>
          ) : null}
        </>
      )}
    </>
  );
}
