import { parseJson } from '../core/json.util';
import {
  type BackoffPolicy,
  FINISHED_JOB_STATUSES,
  type Job,
  type JobProgress,
  type JobStatus,
  type JobType,
  type JsonValue,
} from '../job.types';
import { CANCEL_FIELD } from './redis-keys';

/** The `data` of a BullMQ job: the payload and the settings BullMQ has no field for. */
export interface StoredJobData {
  payload: JsonValue;
  maxAttempts: number;
  backoff: BackoffPolicy;
  idempotencyKey: string | null;
  priority: number;
  runAt: number;
}

/** Job hash fields the reader fetches, in this order. */
export const JOB_HASH_FIELDS = [
  'data',
  'timestamp',
  'processedOn',
  'finishedOn',
  'returnvalue',
  'failedReason',
  'progress',
  'ats',
  CANCEL_FIELD,
] as const;

export type JobHashValues = (string | null)[];

/** The BullMQ sets and lists that contain the job, read in the same transaction as its hash. */
export interface QueuePlacement {
  completed: boolean;
  failed: boolean;
  /** Score in the delayed set (due time · 4096 + counter), or null. */
  delayedScore: number | null;
  prioritized: boolean;
  active: boolean;
}

const ZERO_PROGRESS: JobProgress = { rowsRead: 0, rowsLoaded: 0, rowsRejected: 0 };

function optionalNumber(text: string | null): number | null {
  return text === null || text === '' ? null : Number(text);
}

function isoTime(milliseconds: number | null): string | null {
  return milliseconds === null ? null : new Date(milliseconds).toISOString();
}

/** Maps BullMQ's place of the job to the engine's status. */
export function statusOf(placement: QueuePlacement, cancelRequested: boolean): JobStatus {
  if (placement.completed) {
    return 'succeeded';
  }

  if (placement.failed) {
    return cancelRequested ? 'cancelled' : 'failed';
  }

  if (placement.active) {
    return 'running';
  }

  // Waiting, prioritized, delayed (also a retry waiting for its backoff) or paused.
  return 'queued';
}

export function parseProgress(text: string | null): JobProgress {
  const value = parseJson(text);

  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return { ...ZERO_PROGRESS, ...(value as Partial<JobProgress>) };
  }

  return { ...ZERO_PROGRESS };
}

/** Builds a job from its hash values (in `JOB_HASH_FIELDS` order); null when the hash does not exist. */
export function toJob(
  type: JobType,
  id: string,
  values: JobHashValues,
  placement: QueuePlacement,
): Job | null {
  const [
    data,
    timestamp,
    processedOn,
    finishedOn,
    returnvalue,
    failedReason,
    progress,
    ats,
    cancelAt,
  ] = values;

  if (data === null || timestamp === null) {
    return null;
  }

  const stored = JSON.parse(data) as StoredJobData;
  const cancelRequestedAt = optionalNumber(cancelAt);
  const status = statusOf(placement, cancelRequestedAt !== null);
  const finished = FINISHED_JOB_STATUSES.includes(status);
  const runAt =
    placement.delayedScore === null ? stored.runAt : Math.floor(placement.delayedScore / 0x1000);

  return {
    id,
    type,
    status,
    attempts: optionalNumber(ats) ?? 0,
    maxAttempts: stored.maxAttempts,
    priority: stored.priority,
    payload: stored.payload,
    progress: parseProgress(progress),
    result: status === 'succeeded' ? parseJson(returnvalue) : null,
    error: status === 'succeeded' ? null : (failedReason ?? null),
    idempotencyKey: stored.idempotencyKey,
    runAt: new Date(runAt).toISOString(),
    createdAt: new Date(Number(timestamp)).toISOString(),
    startedAt: isoTime(optionalNumber(processedOn)),
    finishedAt: finished ? isoTime(optionalNumber(finishedOn)) : null,
    cancelRequestedAt: isoTime(cancelRequestedAt),
  };
}
