import { type DragEvent, useEffect, useId, useRef, useState } from 'react';

import { toLogicalName } from '@rokks/naming';
import { type TransformSpec } from '@rokks/transform';

import { uploadFile, type UploadedFile } from '../api/client';
import { type ProfileSchema } from '../api/types';
import { ErrorMessage } from '../components/ErrorMessage';
import { Field } from '../components/Field';
import { TransformEditor } from '../transform/TransformEditor';
import { useProfile } from '../transform/use-profile';
import { LoadPanel } from './LoadPanel';

interface Draft {
  file: UploadedFile;
  spec: TransformSpec;
}

const DRAFT_KEY = 'rokks.data-draft';
const EMPTY_SPEC: TransformSpec = { steps: [], onError: 'reject-row' };

function readDraft(): Draft | null {
  try {
    const text = window.localStorage.getItem(DRAFT_KEY);

    return text === null ? null : (JSON.parse(text) as Draft);
  } catch {
    return null;
  }
}

/** Shows the bytes as KiB or MiB. */
function formatBytes(bytes: number): string {
  if (bytes < 1024) {
    return `${bytes} B`;
  }

  return bytes < 1024 * 1024
    ? `${(bytes / 1024).toFixed(1)} KiB`
    : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Upload, profile, transform and load one file. The uploaded file and the
 * spec are kept as a draft in local storage, so a reload loses no work.
 */
export function DataPage() {
  const [draft, setDraft] = useState<Draft | null>(readDraft);
  const profile = useProfile(draft?.file.fileId ?? null);

  useEffect(() => {
    if (draft === null) {
      window.localStorage.removeItem(DRAFT_KEY);
    } else {
      window.localStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
    }
  }, [draft]);

  return (
    <section>
      <h1>Data</h1>
      <UploadPanel onUploaded={(file) => setDraft({ file, spec: EMPTY_SPEC })} />
      {draft === null ? null : (
        <>
          <section aria-labelledby="profile-heading">
            <h2 id="profile-heading">
              Profile of {draft.file.name} ({formatBytes(draft.file.bytes)})
            </h2>
            <button type="button" onClick={() => setDraft(null)}>
              Discard this file
            </button>
            {profile.schema === null ? (
              <p role="status">
                {profile.progress === null
                  ? 'Profiling…'
                  : `Profiling: ${profile.progress.rowsRead} rows, ${formatBytes(profile.progress.bytesRead)} read…`}
              </p>
            ) : (
              <ProfileView schema={profile.schema} />
            )}
            <ErrorMessage error={profile.error} context="Profiling failed" />
          </section>
          {profile.schema === null || !profile.done ? null : (
            <>
              <TransformEditor
                schema={profile.schema}
                rows={profile.rows}
                spec={draft.spec}
                onChange={(spec) => setDraft({ ...draft, spec })}
              />
              <LoadPanel
                fileId={draft.file.fileId}
                spec={draft.spec}
                defaultTable={toLogicalName(draft.file.name.replace(/\.[^.]*$/, ''), 1)}
                columns={profile.schema.columns.map((column) => column.name)}
              />
            </>
          )}
        </>
      )}
    </section>
  );
}

function UploadPanel({ onUploaded }: { onUploaded: (file: UploadedFile) => void }) {
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [dragging, setDragging] = useState(false);

  const upload = async (file: File): Promise<void> => {
    setError(null);
    setProgress(0);

    try {
      onUploaded(await uploadFile(file, setProgress));
    } catch (caught) {
      setError(caught);
    } finally {
      setProgress(null);

      if (input.current !== null) {
        input.current.value = '';
      }
    }
  };

  const drop = (event: DragEvent): void => {
    event.preventDefault();
    setDragging(false);

    const file = event.dataTransfer.files[0];

    if (file !== undefined) {
      void upload(file);
    }
  };

  return (
    <section aria-labelledby={`${inputId}-heading`}>
      <h2 id={`${inputId}-heading`}>Upload a file</h2>
      <div
        className={dragging ? 'drop-zone dragging' : 'drop-zone'}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={drop}
      >
        <label htmlFor={inputId}>Choose a CSV, TSV, JSON or Parquet file, or drop it here</label>
        <input
          id={inputId}
          ref={input}
          type="file"
          disabled={progress !== null}
          onChange={(event) => {
            const file = event.target.files?.[0];

            if (file !== undefined) {
              void upload(file);
            }
          }}
        />
        {progress === null ? null : (
          <Field label="Upload progress">
            {(id) => (
              <progress id={id} max={1} value={progress}>
                {Math.round(progress * 100)}%
              </progress>
            )}
          </Field>
        )}
      </div>
      <ErrorMessage error={error} context="Upload failed" />
    </section>
  );
}

function ProfileView({ schema }: { schema: ProfileSchema }) {
  return (
    <>
      <dl className="facts" data-testid="profile-facts">
        <dt>Format</dt>
        <dd>{schema.format}</dd>
        <dt>Encoding</dt>
        <dd>{schema.encoding}</dd>
        <dt>Delimiter</dt>
        <dd>{schema.delimiter === null ? 'none' : JSON.stringify(schema.delimiter)}</dd>
        <dt>Header row</dt>
        <dd>{schema.header ? 'yes' : 'no'}</dd>
      </dl>
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Columns of the file">
        <table data-testid="profile-columns">
          <caption>Columns</caption>
          <thead>
            <tr>
              <th scope="col">Column</th>
              <th scope="col">Inferred type</th>
              <th scope="col">Nulls</th>
              <th scope="col">Distinct (estimate)</th>
              <th scope="col">Sample</th>
            </tr>
          </thead>
          <tbody>
            {schema.columns.map((column) => (
              <tr key={column.name}>
                <th scope="row">{column.name}</th>
                <td>
                  {column.inferredType}
                  {column.ambiguous === true ? (
                    <span className="flag">
                      {' '}
                      ambiguous; also{' '}
                      {(column.alternatives ?? [])
                        .map((alternative) => alternative.type)
                        .join(', ')}
                    </span>
                  ) : null}
                </td>
                <td>{column.nullCount}</td>
                <td>{column.distinctEstimate}</td>
                <td>{column.sample.slice(0, 3).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
