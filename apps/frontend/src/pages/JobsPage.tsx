import { useCallback, useEffect, useState } from 'react';

import { apiJson } from '../api/client';
import { JOB_STATUSES, type Job, type JobPage, type JobStatus } from '../api/types';
import { Link } from '../app/router';
import { ErrorMessage } from '../components/ErrorMessage';
import { Field } from '../components/Field';
import { formatTime } from '../components/format-time';
import { emptyProgress, jobErrorText } from '../jobs/use-job';

const PAGE_SIZE = 50;

/** Lists the workspace's jobs, newest first, with a status filter. */
export function JobsPage() {
  const [status, setStatus] = useState<JobStatus | ''>('');
  const [jobs, setJobs] = useState<Job[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const reload = useCallback(() => setVersion((value) => value + 1), []);

  useEffect(() => {
    const controller = new AbortController();
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });

    if (status !== '') {
      query.set('status', status);
    }

    setError(null);
    apiJson<JobPage>(`/api/jobs?${query.toString()}`, { signal: controller.signal })
      .then((page) => setJobs(page.jobs))
      .catch((caught: unknown) => {
        if (!controller.signal.aborted) {
          setError(caught);
        }
      });

    return () => controller.abort();
  }, [status, version]);

  return (
    <section>
      <h1>Jobs</h1>
      <div className="inline-form">
        <Field label="Status">
          {(id) => (
            <select
              id={id}
              value={status}
              onChange={(event) => setStatus(event.target.value as JobStatus | '')}
            >
              <option value="">any status</option>
              {JOB_STATUSES.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="button" onClick={reload}>
          Reload
        </button>
      </div>
      <ErrorMessage error={error} context="Loading the jobs failed" />
      {jobs === null ? (
        error === null ? (
          <p role="status">Loading…</p>
        ) : null
      ) : (
        <div className="table-scroll full" tabIndex={0} role="region" aria-label="Jobs">
          <table data-testid="jobs">
            <caption>
              {jobs.length === 1 ? '1 job' : `${jobs.length} jobs`}
              {jobs.length === PAGE_SIZE ? ` (the newest ${PAGE_SIZE})` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
                <th scope="col" className="number">
                  Rows read
                </th>
                <th scope="col" className="number">
                  Loaded
                </th>
                <th scope="col" className="number">
                  Rejected
                </th>
                <th scope="col">Created</th>
                <th scope="col">Finished</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {jobs.length === 0 ? (
                <tr>
                  <td colSpan={8}>No jobs{status === '' ? '' : ` with status ${status}`}.</td>
                </tr>
              ) : (
                jobs.map((job) => {
                  const progress = job.progress ?? emptyProgress();

                  return (
                    <tr key={job.id} data-status={job.status}>
                      <th scope="row">
                        <Link to={`/jobs/${job.id}`} title={`Job ${job.id}`}>
                          {job.type}
                        </Link>
                      </th>
                      <td>
                        <span className={`badge ${job.status}`}>{job.status}</span>
                      </td>
                      <td className="number">{progress.rowsRead}</td>
                      <td className="number">{progress.rowsLoaded}</td>
                      <td className="number">{progress.rowsRejected}</td>
                      <td>{formatTime(job.createdAt)}</td>
                      <td>{formatTime(job.finishedAt)}</td>
                      <td>
                        {job.status === 'succeeded' && job.result !== null ? (
                          <Link to={`/tables/${job.result.tableId}`}>{job.result.table}</Link>
                        ) : job.status === 'failed' ? (
                          <span className="error-text">{jobErrorText(job)}</span>
                        ) : (
                          '–'
                        )}
                      </td>
                    </tr>
                  );
                })
              )}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
