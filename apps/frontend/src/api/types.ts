import { type CastOptions, type ColumnType } from '@rokks/transform';

export interface TableColumn {
  id: string;
  name: string;
  type: ColumnType;
}

export interface TableInfo {
  id: string;
  name: string;
  columns: TableColumn[];
  rowCount: number;
  timeColumn?: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The result of `/api/sql/query` and `/api/sql/widget-query`. */
export interface QueryResult {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
}

export interface ProfileColumn {
  name: string;
  label?: string;
  inferredType: ColumnType;
  /** Options the inferred type is read with (a date format, say), as the load uses them. */
  castOptions?: CastOptions;
  nullCount: number;
  distinctEstimate: number;
  sample: string[];
  ambiguous?: boolean;
  alternatives?: { type: ColumnType; castOptions?: CastOptions }[];
}

/** The `schema` event of a file profile. */
export interface ProfileSchema {
  format: string;
  encoding: string;
  delimiter: string | null;
  header: boolean;
  columns: ProfileColumn[];
}

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** Row counters of a job, the same three for every job type. */
export interface JobProgress {
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
}

export interface Job {
  id: string;
  type: string;
  status: JobStatus;
  attempts: number;
  progress: JobProgress | null;
  result: {
    tableId: string;
    table: string;
    rowsLoaded: number;
    rowsRejected: number;
    rejectsFileId?: string;
  } | null;
  error: { message?: string } | string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export const JOB_STATUSES: readonly JobStatus[] = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
];

/** A page of `GET /api/jobs`, newest first. */
export interface JobPage {
  jobs: Job[];
  nextCursor: string | null;
}

/** A page of `GET /api/jobs/{id}/logs`, oldest line first. */
export interface JobLogPage {
  lines: { at: string; attempt: number; message: string }[];
  total: number;
}

/** An entry of the audit log. */
export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details: unknown;
}

/** A page of `GET /api/audit`, newest first. */
export interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}

export type HealthStatus = 'up' | 'degraded' | 'down' | 'unknown';

/** One service in the signed-in report of `GET /api/health`. */
export interface ServiceHealth {
  service: string;
  expected: boolean;
  status: HealthStatus;
  since: string;
  lastCheckedAt: string | null;
  latencyMs: number | null;
  lastError: string | null;
  lastErrorAt: string | null;
  instances: { url: string; status: HealthStatus; latencyMs: number | null; checkedAt: string }[];
}

/** The signed-in report of `GET /api/health`. */
export interface HealthReport {
  status: HealthStatus;
  /** End of the latest probe round, or null before the first. */
  checkedAt: string | null;
  probeIntervalMs?: number;
  counts?: Record<string, number>;
  services?: ServiceHealth[];
}

export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

/** A document of the doc gateway. */
export interface StoredDocument<T> {
  id: string;
  version: number;
  createTime: string;
  updateTime: string;
  data: T;
}

/** Job types of the worker, as `GET /api/jobs?type=` accepts them. */
export const JOB_TYPES = [
  'ETL',
  'WEBAPI_SYNC',
  'AIRTABLE_SYNC',
  'INDEX',
  'ALERT',
  'AI_GENERATE',
] as const;

export type JobType = (typeof JOB_TYPES)[number];

/** Roles of a user in a workspace, from least to most access. */
export const ROLES = ['viewer', 'editor', 'admin'] as const;

export type Role = (typeof ROLES)[number];

/** A user as `GET /auth/users` lists it, with their roles in the admin's workspace. */
export interface ManagedUser {
  id: string;
  email: string;
  roles: Role[];
  workspace: string;
  disabled: boolean;
  /** False for users who sign in only through an identity provider. */
  hasPassword: boolean;
  createdAt: string;
  lastSignInAt: string | null;
}

/** An identity provider of `GET /auth/oidc/providers`. */
export interface IdentityProvider {
  id: string;
  displayName: string;
}
