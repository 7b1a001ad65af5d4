import '../transform/transform.css';

import { type DragEvent, useEffect, useId, useMemo, useRef, useState } from 'react';

import { toLogicalName } from '@rokks/naming';

import { uploadFile, type UploadedFile } from '../api/client';
import { type ProfileSchema } from '../api/types';
import { ErrorMessage } from '../components/ErrorMessage';
import { Field } from '../components/Field';
import { clearSpecDraft, useSpecDraft } from '../transform/spec-draft';
import { columnsAfter, describeCastOptions } from '../transform/steps';
import { TransformEditor } from '../transform/TransformEditor';
import { useProfile } from '../transform/use-profile';
import { LoadPanel } from './LoadPanel';

interface Draft {
  file: UploadedFile;
}

/** The key of the file being worked on. Its spec draft has a key of its own (see spec-draft.ts). */
const DRAFT_KEY = 'rokks.data-draft';

function readDraft(): Draft | null {
  try {
    const text = window.localStorage.getItem(DRAFT_KEY);

    const draft = text === null ? null : (JSON.parse(text) as Partial<Draft>);

    return draft?.file?.fileId === undefined ? null : { file: draft.file };
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
 * Upload, profile, transform and load one file. The uploaded file and its
 * spec are kept as drafts in local storage until the load succeeds, so a
 * reload loses no work.
 */
export function DataPage() {
  const [draft, setDraft] = useState<Draft | null>(readDraft);
  const fileId = draft?.file.fileId ?? null;
  const profile = useProfile(fileId);
  const [spec, setSpec] = useSpecDraft(fileId);
  const schema = profile.schema;
  const outputColumns = useMemo(
    () => (schema === null ? [] : (columnsAfter(schema, spec.steps) ?? [])),
    [schema, spec],
  );

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
      <UploadPanel onUploaded={(file) => setDraft({ file })} />
      {draft === null ? null : (
        <>
          <section aria-labelledby="profile-heading">
            <h2 id="profile-heading">
              Profile of {draft.file.name} ({formatBytes(draft.file.bytes)})
            </h2>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                clearSpecDraft(draft.file.fileId);
                setDraft(null);
              }}
            >
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
                spec={spec}
                onChange={setSpec}
                fileId={draft.file.fileId}
              />
              <LoadPanel
                key={draft.file.fileId}
                fileId={draft.file.fileId}
                spec={spec}
                defaultTable={toLogicalName(draft.file.name.replace(/\.[^.]*$/, ''), 1)}
                columns={outputColumns}
                onLoaded={() => {
                  // Loaded: the drafts have served their purpose.
                  clearSpecDraft(draft.file.fileId);
                  window.localStorage.removeItem(DRAFT_KEY);
                }}
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
  const controller = useRef<AbortController | null>(null);
  const [upload, setUpload] = useState<{ name: string; bytes: number; sent: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [dragging, setDragging] = useState(false);

  // Leaving the page stops an upload still running.
  useEffect(() => () => controller.current?.abort(), []);

  const start = async (file: File): Promise<void> => {
    const abort = new AbortController();

    controller.current = abort;
    setError(null);
    setUpload({ name: file.name, bytes: file.size, sent: 0 });

    try {
      const uploaded = await uploadFile(
        file,
        (fraction) => setUpload({ name: file.name, bytes: file.size, sent: fraction }),
        abort.signal,
      );

      onUploaded(uploaded);
    } catch (caught) {
      if (!(caught instanceof DOMException && caught.name === 'AbortError')) {
        setError(caught);
      }
    } finally {
      controller.current = null;
      setUpload(null);

      if (input.current !== null) {
        input.current.value = '';
      }
    }
  };

  const drop = (event: DragEvent): void => {
    event.preventDefault();
    setDragging(false);

    const file = event.dataTransfer.files[0];

    if (file !== undefined && upload === null) {
      void start(file);
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
        <label htmlFor={inputId}>Choose a CSV, TSV, JSON or NDJSON file, or drop it here</label>
        <input
          id={inputId}
          ref={input}
          type="file"
          disabled={upload !== null}
          onChange={(event) => {
            const file = event.target.files?.[0];

            if (file !== undefined) {
              void start(file);
            }
          }}
        />
        {upload === null ? null : (
          <div className="upload-progress">
            <Field label={`Uploading ${upload.name}`}>
              {(id) => (
                <progress id={id} max={1} value={upload.sent}>
                  {Math.round(upload.sent * 100)}%
                </progress>
              )}
            </Field>
            <span role="status">
              {Math.round(upload.sent * 100)}% of {formatBytes(upload.bytes)}
            </span>
            <button type="button" className="secondary" onClick={() => controller.current?.abort()}>
              Cancel upload
            </button>
          </div>
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
                  {describeCastOptions(column.castOptions ?? {}) === '' ? null : (
                    <span className="type"> ({describeCastOptions(column.castOptions ?? {})})</span>
                  )}
                  {column.ambiguous === true ? (
                    <span className="flag">
                      {' '}
                      ambiguous; also{' '}
                      {(column.alternatives ?? [])
                        .map((alternative) => {
                          const options = describeCastOptions(alternative.castOptions ?? {});

                          return `${alternative.type}${options === '' ? '' : ` (${options})`}`;
                        })
                        .join('; ')}
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
