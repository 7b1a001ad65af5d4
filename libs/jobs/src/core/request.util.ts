import {
  type BackoffPolicy,
  JOB_STATUSES,
  JOB_TYPES,
  type JobStatus,
  type JobType,
  type JsonValue,
  type ListJobsQuery,
  type JobLogQuery,
  type SubmitJobRequest,
} from '../job.types';
import { JobsError } from '../jobs.errors';
import { JOB_ID_PATTERN } from './job-id.util';
import { findNonJson } from './json.util';

/** Largest accepted payload, as UTF-8 JSON. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;
/** Largest priority; BullMQ's limit, applied to both backends. */
export const MAX_PRIORITY = 2_097_151;
export const MAX_ATTEMPTS = 100;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
/** Maximum backoff delay setting in ms: one week. */
export const MAX_BACKOFF_DELAY_MS = 7 * 24 * 60 * 60 * 1000;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
export const DEFAULT_LOG_PAGE_SIZE = 100;
export const MAX_LOG_PAGE_SIZE = 1000;

/** A submit request after validation, with the defaults applied. */
export interface NormalizedSubmit {
  type: JobType;
  payload: JsonValue;
  payloadJson: string;
  priority: number;
  idempotencyKey: string | null;
  /** Milliseconds since the epoch. */
  runAt: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
}

function invalid(message: string): JobsError {
  return new JobsError('INVALID_ARGUMENT', message);
}

export function validateJobType(type: unknown): JobType {
  if (!(JOB_TYPES as readonly unknown[]).includes(type)) {
    throw invalid(
      `Invalid job type ${JSON.stringify(type)}: expected one of ${JOB_TYPES.join(', ')}.`,
    );
  }

  return type as JobType;
}

export function validateJobStatus(status: unknown): JobStatus {
  if (!(JOB_STATUSES as readonly unknown[]).includes(status)) {
    throw invalid(
      `Invalid job status ${JSON.stringify(status)}: expected one of ${JOB_STATUSES.join(', ')}.`,
    );
  }

  return status as JobStatus;
}

export function validateJobId(id: unknown): string {
  if (typeof id !== 'string' || !JOB_ID_PATTERN.test(id)) {
    throw invalid(`Invalid job id ${JSON.stringify(id)}: expected a lowercase UUID version 7.`);
  }

  return id;
}

function integerInRange(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(
      `Invalid ${name} ${JSON.stringify(value)}: expected an integer from ${min} to ${max}.`,
    );
  }

  return value;
}

/** Checks a complete backoff policy; `name` prefixes the field in messages. */
export function validateBackoff(policy: BackoffPolicy, name: string): BackoffPolicy {
  const initialDelayMs = integerInRange(
    `${name}.initialDelayMs`,
    policy.initialDelayMs,
    0,
    MAX_BACKOFF_DELAY_MS,
  );
  const maxDelayMs = integerInRange(
    `${name}.maxDelayMs`,
    policy.maxDelayMs,
    0,
    MAX_BACKOFF_DELAY_MS,
  );

  if (maxDelayMs < initialDelayMs) {
    throw invalid(
      `Invalid ${name}: maxDelayMs ${maxDelayMs} is below initialDelayMs ${initialDelayMs}.`,
    );
  }

  if (typeof policy.jitter !== 'number' || !(policy.jitter >= 0 && policy.jitter <= 1)) {
    throw invalid(
      `Invalid ${name}.jitter ${JSON.stringify(policy.jitter)}: expected a number from 0 to 1.`,
    );
  }

  return { initialDelayMs, maxDelayMs, jitter: policy.jitter };
}

function validateIdempotencyKey(key: unknown): string | null {
  if (key === undefined || key === null) {
    return null;
  }

  if (
    typeof key !== 'string' ||
    key.length === 0 ||
    key.length > MAX_IDEMPOTENCY_KEY_LENGTH ||
    // Control characters would make log lines and Redis key names ambiguous.
    /\p{Cc}/u.test(key)
  ) {
    throw invalid(
      `Invalid idempotencyKey ${JSON.stringify(key)}: expected 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters without control characters.`,
    );
  }

  return key;
}

/** Validates a submit request and applies the engine defaults; throws `INVALID_ARGUMENT`. */
export function normalizeSubmit(
  request: SubmitJobRequest,
  defaults: { maxAttempts: number; backoff: BackoffPolicy },
  now: number,
): NormalizedSubmit {
  if (typeof request !== 'object' || request === null) {
    throw invalid('Invalid submit request: expected an object.');
  }

  const type = validateJobType(request.type);
  const payload = request.payload ?? null;
  const problem = findNonJson(payload, 'payload');

  if (problem !== null) {
    throw invalid(`Invalid payload: ${problem}.`);
  }

  const payloadJson = JSON.stringify(payload);
  const payloadBytes = Buffer.byteLength(payloadJson);

  if (payloadBytes > MAX_PAYLOAD_BYTES) {
    throw invalid(
      `Payload too large: ${payloadBytes} bytes of JSON, the limit is ${MAX_PAYLOAD_BYTES}.`,
    );
  }

  let runAt = now;

  if (request.runAt !== undefined) {
    if (!(request.runAt instanceof Date) || Number.isNaN(request.runAt.getTime())) {
      throw invalid(`Invalid runAt ${String(request.runAt)}: expected a valid Date.`);
    }

    runAt = Math.max(now, request.runAt.getTime());
  }

  return {
    type,
    payload,
    payloadJson,
    priority: integerInRange('priority', request.priority ?? 0, 0, MAX_PRIORITY),
    idempotencyKey: validateIdempotencyKey(request.idempotencyKey),
    runAt,
    maxAttempts: integerInRange(
      'maxAttempts',
      request.maxAttempts ?? defaults.maxAttempts,
      1,
      MAX_ATTEMPTS,
    ),
    backoff: validateBackoff({ ...defaults.backoff, ...request.backoff }, 'backoff'),
  };
}

export interface NormalizedListQuery {
  status: JobStatus | null;
  type: JobType | null;
  limit: number;
  /** Jobs with an id below this one come next; null starts at the newest job. */
  afterId: string | null;
}

/** Validates a list query; the cursor is the id of the last job of the previous page. */
export function normalizeListQuery(query: ListJobsQuery = {}): NormalizedListQuery {
  let afterId: string | null = null;

  if (query.cursor !== undefined && query.cursor !== '') {
    if (!JOB_ID_PATTERN.test(query.cursor)) {
      throw invalid(
        `Invalid cursor ${JSON.stringify(query.cursor)}: pass the nextCursor of a previous page.`,
      );
    }

    afterId = query.cursor;
  }

  return {
    status: query.status === undefined ? null : validateJobStatus(query.status),
    type: query.type === undefined ? null : validateJobType(query.type),
    limit: integerInRange('limit', query.limit ?? DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
    afterId,
  };
}

export function normalizeLogQuery(query: JobLogQuery = {}): { offset: number; limit: number } {
  return {
    offset: integerInRange('offset', query.offset ?? 0, 0, Number.MAX_SAFE_INTEGER),
    limit: integerInRange('limit', query.limit ?? DEFAULT_LOG_PAGE_SIZE, 1, MAX_LOG_PAGE_SIZE),
  };
}
