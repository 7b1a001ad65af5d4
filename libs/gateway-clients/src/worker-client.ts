import { type GatewayConnection, JSON_HEADERS, ServiceCaller } from './gateway-connection';

export const WORKER_SERVICE = 'worker';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** A job as the worker's API returns it. */
export interface JobView {
  id: string;
  /** Job type, such as `ETL`. */
  type: string;
  status: JobStatus;
  attempts: number;
  progress: { rowsRead: number; rowsLoaded: number; rowsRejected: number };
  /** The handler's result once the job succeeded, else null. */
  result: unknown;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** A job to submit; the worker validates every field. */
export interface SubmitJobRequest {
  /** Job type, such as `ETL`. */
  type: string;
  payload?: unknown;
  /** A second submit with the same type and key returns the first job. */
  idempotencyKey?: string;
  priority?: number;
  /** ISO 8601 date-time before which the job does not start. */
  runAt?: string;
  maxAttempts?: number;
  /** User or service that requested the job, for the audit log; the worker's default is `system`. */
  actor?: string;
}

/** An audit entry to append; the worker validates every field and sets `id` and `at`. */
export interface AuditRecordRequest {
  /** User id, or a service name such as `sql-gateway`; 1 to 200 characters. */
  actor: string;
  /** Dotted lower-case name such as `table.renamed`; at most 100 characters. */
  action: string;
  /** Object of the action, such as a table id; at most 500 characters. */
  target?: string | null;
  /** Any JSON value of at most 64 KiB. */
  details?: unknown;
}

/** An audit entry as the worker stored it. */
export interface AuditEntryView {
  id: number;
  /** ISO 8601 UTC. */
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details: unknown;
}

/**
 * Client of the worker's internal job and audit API (`/internal/jobs`,
 * `/internal/audit`). Methods throw a `GatewayError` when the call fails;
 * an invalid job or audit entry fails with 400.
 */
export class WorkerClient {
  private readonly caller: ServiceCaller;

  constructor(connection: GatewayConnection) {
    this.caller = new ServiceCaller(WORKER_SERVICE, connection);
  }

  /** Submits a job and returns it, or returns the existing job of the same type and idempotency key. */
  submitJob(request: SubmitJobRequest, options: { signal?: AbortSignal } = {}): Promise<JobView> {
    return this.caller.json<JobView>(
      `Submitting a ${request.type} job`,
      '/internal/jobs',
      { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(request), signal: options.signal },
      [200, 201],
    );
  }

  /** Returns the job with this id, in any workspace; an unknown id fails with 404. */
  getJob(jobId: string, options: { signal?: AbortSignal } = {}): Promise<JobView> {
    return this.caller.json<JobView>(`Reading job ${jobId}`, `/internal/jobs/${encodeURIComponent(jobId)}`, {
      method: 'GET',
      signal: options.signal,
    });
  }

  /** Appends an entry to the audit log and returns it as stored. */
  recordAudit(record: AuditRecordRequest, options: { signal?: AbortSignal } = {}): Promise<AuditEntryView> {
    return this.caller.json<AuditEntryView>(
      `Recording audit entry ${record.action}`,
      '/internal/audit',
      { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(record), signal: options.signal },
      [200, 201],
    );
  }
}
