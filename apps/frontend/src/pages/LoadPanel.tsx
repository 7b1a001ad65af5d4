import { type FormEvent, useState } from 'react';

import { type TransformSpec } from '@rokks/transform';

import { apiJson } from '../api/client';
import { type Job, TERMINAL_JOB_STATUSES } from '../api/types';
import { Link } from '../app/router';
import { ErrorMessage } from '../components/ErrorMessage';
import { Field } from '../components/Field';
import { emptyProgress, jobErrorText, useJob } from '../jobs/use-job';

type LoadMode = 'create' | 'replace' | 'append' | 'upsert';

interface LoadPanelProps {
  fileId: string;
  spec: TransformSpec;
  defaultTable: string;
  columns: readonly string[];
}

/** Loads the file into a table with the spec and shows the job's progress. */
export function LoadPanel({ fileId, spec, defaultTable, columns }: LoadPanelProps) {
  const [table, setTable] = useState(defaultTable);
  const [mode, setMode] = useState<LoadMode>('create');
  const [key, setKey] = useState('');
  const [jobId, setJobId] = useState<string | null>(null);
  const [submitError, setSubmitError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);
  const { job, error } = useJob(jobId);
  const running =
    submitting ||
    (job !== null && !TERMINAL_JOB_STATUSES.includes(job.status)) ||
    (jobId !== null && job === null);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setSubmitting(true);
    setSubmitError(null);
    setJobId(null);

    const keyColumns = key
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');
    const target = { table: table.trim(), mode, ...(mode === 'upsert' ? { key: keyColumns } : {}) };

    try {
      const { jobId: started } = await apiJson<{ jobId: string }>('/api/transform/runs', {
        body: { fileId, spec, target },
      });

      setJobId(started);
    } catch (caught) {
      setSubmitError(caught);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <section aria-labelledby="load-heading">
      <h2 id="load-heading">Load</h2>
      <form className="inline-form" onSubmit={(event) => void submit(event)}>
        <Field label="Table name">
          {(id) => (
            <input
              id={id}
              required
              value={table}
              onChange={(event) => setTable(event.target.value)}
            />
          )}
        </Field>
        <Field label="Mode">
          {(id) => (
            <select
              id={id}
              value={mode}
              onChange={(event) => setMode(event.target.value as LoadMode)}
            >
              <option value="create">create a new table</option>
              <option value="replace">replace the table's rows</option>
              <option value="append">append to the table</option>
              <option value="upsert">upsert by key</option>
            </select>
          )}
        </Field>
        {mode === 'upsert' ? (
          <Field label="Key columns (comma-separated)">
            {(id) => (
              <input
                id={id}
                required
                value={key}
                onChange={(event) => setKey(event.target.value)}
                placeholder={columns[0]}
              />
            )}
          </Field>
        ) : null}
        <button type="submit" disabled={running}>
          Load into table
        </button>
      </form>
      <ErrorMessage error={submitError} context="The load could not start" />
      <ErrorMessage error={error} context="Following the load failed" />
      {job === null ? (
        jobId === null ? null : (
          <p role="status">Load queued…</p>
        )
      ) : (
        <JobProgress job={job} />
      )}
    </section>
  );
}

function JobProgress({ job }: { job: Job }) {
  const progress = job.progress ?? emptyProgress();

  return (
    <div className="job" role="status" data-testid="load-job" data-status={job.status}>
      <p>
        Load {job.status}: {progress.rowsRead} rows read, {progress.rowsLoaded} loaded,{' '}
        {progress.rowsRejected} rejected. <Link to={`/jobs/${job.id}`}>Job details</Link>
      </p>
      {job.status === 'succeeded' && job.result !== null ? (
        <p>
          Loaded {job.result.rowsLoaded} rows into{' '}
          <Link to={`/tables/${job.result.tableId}`}>{job.result.table}</Link>
          {job.result.rowsRejected > 0 ? `; ${job.result.rowsRejected} rows were rejected` : ''}.
          {job.result.rejectsFileId === undefined
            ? null
            : ` The rejects file is ${job.result.rejectsFileId}.`}
        </p>
      ) : null}
      {job.status === 'failed' ? <p className="error">{jobErrorText(job)}</p> : null}
    </div>
  );
}
