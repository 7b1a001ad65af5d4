import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Checkbox, CheckboxGroup, Label } from 'react-aria-components';

import { type TransformSpec } from '@rokks/transform';

import { apiJson } from '../api/client';
import { type Job, TERMINAL_JOB_STATUSES } from '../api/types';
import { Link } from '../app/router';
import { ErrorMessage } from '../components/ErrorMessage';
import { Field } from '../components/Field';
import { RejectsDownload } from '../components/RejectsDownload';
import { emptyProgress, jobErrorText, useJob } from '../jobs/use-job';

type LoadMode = 'create' | 'replace' | 'append' | 'upsert';

interface LoadPanelProps {
  fileId: string;
  spec: TransformSpec;
  defaultTable: string;
  /** The columns the spec leaves, for the upsert key. */
  columns: readonly string[];
  /** Called once when the load succeeds. */
  onLoaded?: (job: Job) => void;
}

/** Loads the file into a table with the spec and shows the job's progress. */
export function LoadPanel({ fileId, spec, defaultTable, columns, onLoaded }: LoadPanelProps) {
  const [table, setTable] = useState(defaultTable);
  const [mode, setMode] = useState<LoadMode>('create');
  const [key, setKey] = useState<string[]>([]);
  const [jobId, setJobId] = useState<string | null>(null);
  const [submitError, setSubmitError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);
  const { job, error } = useJob(jobId);
  const running =
    submitting ||
    (job !== null && !TERMINAL_JOB_STATUSES.includes(job.status)) ||
    (jobId !== null && job === null);
  const reported = useRef<string | null>(null);

  useEffect(() => {
    if (job !== null && job.status === 'succeeded' && reported.current !== job.id) {
      reported.current = job.id;
      onLoaded?.(job);
    }
  }, [job, onLoaded]);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setSubmitting(true);
    setSubmitError(null);
    setJobId(null);

    const keyColumns = key.filter((name) => columns.includes(name));
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
          <CheckboxGroup
            className="column-choice"
            value={key}
            onChange={setKey}
            isRequired
            aria-describedby="load-key-help"
          >
            <Label>Key columns</Label>
            <p className="help" id="load-key-help">
              Rows whose key matches a row of the table replace it; the others are added.
            </p>
            <div className="column-choice-list">
              {columns.map((name) => (
                <Checkbox key={name} value={name}>
                  {({ isSelected }) => (
                    <>
                      <span className="box" aria-hidden="true">
                        {isSelected ? '✓' : ''}
                      </span>
                      {name}
                    </>
                  )}
                </Checkbox>
              ))}
            </div>
          </CheckboxGroup>
        ) : null}
        <button
          type="submit"
          disabled={running || (mode === 'upsert' && !key.some((name) => columns.includes(name)))}
        >
          Load into table
        </button>
      </form>
      {/* The server's 409 message names the table and the modes to use instead. */}
      <ErrorMessage error={submitError} context="The load could not start" hints={{ 409: null }} />
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
        </p>
      ) : null}
      {job.result?.rejectsFileId === undefined ? null : (
        <RejectsDownload fileId={job.result.rejectsFileId} table={job.result.table} />
      )}
      {job.status === 'failed' ? <p className="error">{jobErrorText(job)}</p> : null}
    </div>
  );
}

