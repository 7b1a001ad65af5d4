import { useEffect, useState } from 'react';

import { apiJson } from '../api/client';
import { type Job, type JobLogPage, TERMINAL_JOB_STATUSES } from '../api/types';
import { Link } from '../app/router';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatTime } from '../components/format-time';
import { emptyProgress, jobErrorText, useJob } from '../jobs/use-job';

/** The first log lines shown; the rest are counted. */
const LOG_LINES = 200;

/** Shows one job: its status and progress, live events, log lines and a Cancel button while it runs. */
export function JobPage({ jobId }: { jobId: string }) {
  const { job, events, error, setJob } = useJob(jobId);
  const [cancelError, setCancelError] = useState<unknown>(null);
  const [cancelling, setCancelling] = useState(false);
  const finished = job !== null && TERMINAL_JOB_STATUSES.includes(job.status);

  const cancel = async (): Promise<void> => {
    setCancelling(true);
    setCancelError(null);

    try {
      setJob(
        await apiJson<Job>(`/api/jobs/${encodeURIComponent(jobId)}/cancel`, { method: 'POST' }),
      );
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
            <button
              type="button"
              className="danger"
              disabled={cancelling}
              onClick={() => void cancel()}
            >
              Cancel job
            </button>
          )}
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
            {job.result.rejectsFileId === undefined
              ? null
              : `; the rejects file is ${job.result.rejectsFileId}`}
          </dd>
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

/** Shows the job's log lines, read once and again when the job finishes. */
function JobLog({ jobId, finished }: { jobId: string; finished: boolean }) {
  const [log, setLog] = useState<JobLogPage | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const controller = new AbortController();

    setError(null);
    apiJson<JobLogPage>(`/api/jobs/${encodeURIComponent(jobId)}/logs?limit=${LOG_LINES}`, {
      signal: controller.signal,
    })
      .then(setLog)
      .catch((caught: unknown) => {
        if (!controller.signal.aborted) {
          setError(caught);
        }
      });

    return () => controller.abort();
  }, [jobId, finished]);

  return (
    <>
      <h2>Log</h2>
      <ErrorMessage error={error} context="Loading the job's log failed" />
      {log === null ? null : log.lines.length === 0 ? (
        <p>No log lines.</p>
      ) : (
        <>
          <ol className="events" data-testid="job-log">
            {log.lines.map((line, index) => (
              <li key={index}>
                <time dateTime={line.at}>{formatTime(line.at)}</time> (attempt {line.attempt}){' '}
                {line.message}
              </li>
            ))}
          </ol>
          {log.total > log.lines.length ? (
            <p className="help">
              Showing the first {log.lines.length} of {log.total} lines.
            </p>
          ) : null}
        </>
      )}
    </>
  );
}
