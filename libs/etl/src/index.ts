export { type EtlErrorCode, EtlError, type EtlErrorDetails } from './etl.error';
export {
  type EtlProgress,
  type EtlResult,
  type EtlTargetOptions,
  type ExistingColumn,
  type FileProfile,
  LOAD_MODES,
  type LoadColumn,
  type LoadCommitResult,
  type LoadMode,
  type LoadRequest,
  type LoadTarget,
  type LoadTargetWriter,
  type PreviewColumn,
  type PreviewResult,
  type ProfileColumn,
  type ReadProgressEvent,
  type ReadSettings,
  type RejectsSink,
  type RejectsWriter,
  type RowProblem,
  type SampleLimits,
} from './etl.types';
export { COPY_BATCH_BYTES } from './copy-writer';
export { DEFAULT_SAMPLE_CHARS, DEFAULT_SAMPLE_ROWS } from './file-sample';
export { DEFAULT_PREVIEW_LIMIT, DEFAULT_PREVIEW_MAX_ERRORS, previewFile, type PreviewOptions } from './preview-file';
export { PROFILE_ROW_ERRORS, PROFILE_ROWS, profileFile, type ProfileOptions } from './profile-file';
export { REJECTS_HEADER } from './rejects-file';
export { DEFAULT_PROGRESS_INTERVAL_MS, LOAD_CHUNK_ROWS, runEtl, type RunEtlOptions } from './run-etl';
