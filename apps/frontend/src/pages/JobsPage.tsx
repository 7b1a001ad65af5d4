import { useCallback, useEffect, useState } from 'react';
import { Button } from 'react-aria-components';

import { apiJson } from '../api/client';
import {
  type Job,
  type JobPage,
  JOB_STATUSES,
  JOB_TYPES,
  type JobStatus,
  type JobType,
  TERMINAL_JOB_STATUSES,
} from '../api/types';
import { Link } from '../app/router';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatTime } from '../components/format-time';
import { SelectField } from '../components/SelectField';
import { emptyProgress, jobErrorText } from '../jobs/use-job';

const PAGE_SIZE = 50;

/** While the first page shows a queued or running job, it is read again this often. */
const REFRESH_INTERVAL_MS = 3000;

interface JobFilters {
  status: JobStatus | 'any';
  type: JobType | 'any';
}

/** Reads the filters from the page's query string, so a reload or a shared link keeps them. */
function filtersFromLocation(): JobFilters {
  const query = new URLSearchParams(window.location.search);
  const status = query.get('status') ?? '';
  const type = query.get('type') ?? '';

  return {
    status: (JOB_STATUSES as readonly string[]).includes(status) ? (status as JobStatus) : 'any',
    type: (JOB_TYPES as readonly string[]).includes(type) ? (type as JobType) : 'any',
  };
}

/** Builds the query of `GET /api/jobs`; empty filters are left out. */
function jobsQuery(filters: JobFilters, cursor: string | null): string {
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });

  if (filters.status !== 'any') {
    query.set('status', filters.status);
  }

  if (filters.type !== 'any') {
    query.set('type', filters.type);
  }

  if (cursor !== null) {
    query.set('cursor', cursor);
  }

  return query.toString();
}

/** Lists the workspace's jobs, newest first, with status and type filters and "Load more" paging. */
export function JobsPage() {
  const [filters, setFilters] = useState<JobFilters>(filtersFromLocation);
  const [jobs, setJobs] = useState<Job[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [pagesLoaded, setPagesLoaded] = useState(1);
  const [error, setError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [version, setVersion] = useState(0);
  const reload = useCallback(() => setVersion((value) => value + 1), []);

  const changeFilters = (next: JobFilters): void => {
    const query = new URLSearchParams();

    if (next.status !== 'any') {
      query.set('status', next.status);
    }

    if (next.type !== 'any') {
      query.set('type', next.type);
    }

    const search = query.toString();

    window.history.replaceState(null, '', search === '' ? '/jobs' : `/jobs?${search}`);
    setFilters(next);
  };

  useEffect(() => {
    const controller = new AbortController();

    setError(null);
    setPagesLoaded(1);
    apiJson<JobPage>(`/api/jobs?${jobsQuery(filters, null)}`, { signal: controller.signal })
      .then((page) => {
        setJobs(page.jobs);
        setNextCursor(page.nextCursor);
      })
      .catch((caught: unknown) => {
        if (!controller.signal.aborted) {
          setError(caught);
        }
      });

    return () => controller.abort();
  }, [filters, version]);

  // Jobs under way change on their own, so the first page is read again until they end.
  const active = jobs?.some((job) => !TERMINAL_JOB_STATUSES.includes(job.status)) ?? false;

  useEffect(() => {
    if (!active || pagesLoaded > 1) {
      return;
    }

    const timer = setTimeout(reload, REFRESH_INTERVAL_MS);

    return () => clearTimeout(timer);
  }, [active, pagesLoaded, jobs, reload]);

  const loadMore = async (): Promise<void> => {
    if (nextCursor === null) {
      return;
    }

    setLoadingMore(true);
    setError(null);

    try {
      const page = await apiJson<JobPage>(`/api/jobs?${jobsQuery(filters, nextCursor)}`);

      setJobs((previous) => [...(previous ?? []), ...page.jobs]);
      setNextCursor(page.nextCursor);
      setPagesLoaded((count) => count + 1);
    } catch (caught) {
      setError(caught);
    } finally {
      setLoadingMore(false);
    }
  };

  const filtered = filters.status !== 'any' || filters.type !== 'any';

  return (
    <section>
      <h1>Jobs</h1>
      <div className="inline-form">
        <SelectField
          label="Status"
          options={[
            { id: 'any', label: 'any status' },
            ...JOB_STATUSES.map((status) => ({ id: status, label: status })),
          ]}
          value={filters.status}
          isDisabled={loadingMore}
          onChange={(status) => changeFilters({ ...filters, status })}
        />
        <SelectField
          label="Type"
          options={[
            { id: 'any', label: 'any type' },
            ...JOB_TYPES.map((type) => ({ id: type, label: type })),
          ]}
          value={filters.type}
          isDisabled={loadingMore}
          onChange={(type) => changeFilters({ ...filters, type })}
        />
        <Button onPress={reload} isDisabled={loadingMore}>
          Reload
        </Button>
      </div>
      <ErrorMessage error={error} context="Loading the jobs failed" />
      {jobs === null ? (
        error === null ? (
          <p role="status">Loading…</p>
        ) : null
      ) : (
        <>
          <JobTable jobs={jobs} hasMore={nextCursor !== null} filtered={filtered} />
          {nextCursor === null ? null : (
            <Button isPending={loadingMore} onPress={() => void loadMore()}>
              {loadingMore ? 'Loading…' : `Load ${PAGE_SIZE} more`}
            </Button>
          )}
        </>
      )}
    </section>
  );
}

function JobTable({
  jobs,
  hasMore,
  filtered,
}: {
  jobs: readonly Job[];
  hasMore: boolean;
  filtered: boolean;
}) {
  return (
    <div className="table-scroll full" tabIndex={0} role="region" aria-label="Jobs">
      <table data-testid="jobs">
        <caption>
          {jobs.length === 1 ? '1 job' : `${jobs.length} jobs`}
          {hasMore ? ', newest first (more available)' : ''}
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
              <td colSpan={8}>{filtered ? 'No jobs match the filters.' : 'No jobs yet.'}</td>
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
                  <td className="number">{progress.rowsRead.toLocaleString('en')}</td>
                  <td className="number">{progress.rowsLoaded.toLocaleString('en')}</td>
                  <td className="number">{progress.rowsRejected.toLocaleString('en')}</td>
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
  );
}
