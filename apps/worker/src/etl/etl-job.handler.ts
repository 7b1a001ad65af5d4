import { type Logger } from 'pino';

import { EtlError, type EtlErrorCode, type EtlResult, runEtl } from '@rokks/etl';
import { type DocGatewayClient, type EtlJobPayload, GatewayError, type SqlGatewayClient, uploadBlobPath } from '@rokks/gateway-clients';
import { type Job, type JobContext, type JsonValue, PermanentJobError } from '@rokks/jobs';

import { type AuditLog } from '../audit/audit-log';
import { BlobRejectsSink, rejectsFileId } from './blob-rejects-sink';
import { parseEtlPayload } from './etl-payload';

/** The result of an ETL job, as `GET /api/jobs/{id}` returns it. */
export interface EtlJobResult {
  tableId: string;
  table: string;
  rowsLoaded: number;
  rowsRejected: number;
  rejectsFileId?: string;
}

/** ETL failures caused by the file, the spec or the options: a retry would fail the same way. */
const PERMANENT_CODES: ReadonlySet<EtlErrorCode> = new Set(['INVALID_OPTIONS', 'INVALID_SPEC', 'NO_COLUMNS', 'BAD_DATA']);

export interface EtlJobDependencies {
  docs: DocGatewayClient;
  sql: SqlGatewayClient;
  audit: AuditLog;
  logger: Logger;
  /** Threads that read blocks of a large CSV file at the same time (`ETL_THREADS`). */
  threads?: number;
}

/** Returns the load id of a job: the same for every attempt, so the SQL gateway applies the job's load at most once. */
export function etlLoadId(jobId: string): string {
  return `etl-${jobId}`;
}

/**
 * Runs one attempt of an ETL job: streams the uploaded file from the doc
 * gateway through `runEtl` into the SQL gateway's Load API, with rejected
 * rows going to a rejects file in the blob store. Failures that no retry can
 * fix throw `PermanentJobError`: an invalid payload or spec, bad data under
 * `fail`, a 4xx from a gateway. Other failures are rethrown, so the engine
 * retries them.
 */
export async function runEtlJob(job: Job, context: JobContext, dependencies: EtlJobDependencies): Promise<JsonValue> {
  const payload = parseEtlPayload(job.payload);
  const { docs, sql } = dependencies;
  const logger = dependencies.logger.child({ jobId: job.id, workspace: payload.workspace, fileId: payload.fileId });

  context.log(`loading file ${JSON.stringify(payload.fileName)} into table ${JSON.stringify(payload.target.table)} (${payload.target.mode})`);

  try {
    const existingColumns =
      payload.target.mode === 'create' ? undefined : await sql.existingColumns(payload.workspace, payload.target.table, { signal: context.signal });
    const result = await runEtl({
      source: () => downloadFile(docs, payload, context.signal),
      spec: payload.spec,
      target: payload.target,
      loadTarget: sql.loadTarget(payload.workspace),
      loadId: etlLoadId(job.id),
      signal: context.signal,
      onProgress: (progress) => context.reportProgress(progress),
      rejects: new BlobRejectsSink(docs, payload.workspace, rejectsFileId(job.id)),
      logger,
      threads: dependencies.threads ?? 0,
      ...(existingColumns === undefined ? {} : { existingColumns }),
    });

    context.log(`loaded ${result.rowsLoaded} rows, rejected ${result.rowsRejected}${result.alreadyApplied ? ' (applied by an earlier attempt)' : ''}`);
    recordAudit(dependencies.audit, job, payload, result);

    return toJobResult(result);
  } catch (error) {
    // runEtl aborts the load on any failure, so whatever the progress counted
    // as loaded was rolled back.
    context.reportProgress({ rowsLoaded: 0 });
    throw classify(error, context.signal);
  }
}

/** Streams the file's bytes; the download starts when the reader first pulls. */
async function* downloadFile(docs: DocGatewayClient, payload: EtlJobPayload, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const download = await docs.getBlob(payload.workspace, uploadBlobPath(payload.fileId), { signal });

  try {
    for await (const chunk of download.stream) {
      yield chunk as Uint8Array;
    }
  } finally {
    download.stream.destroy();
  }
}

function toJobResult(result: EtlResult): EtlJobResult & JsonValue {
  return {
    tableId: result.tableId,
    table: result.table,
    rowsLoaded: result.rowsLoaded,
    rowsRejected: result.rowsRejected,
    ...(result.rejectsFileId === undefined ? {} : { rejectsFileId: result.rejectsFileId }),
  };
}

/**
 * Records the load as a data change and, when it created or replaced the
 * table, as a schema change. A load applied by an earlier attempt is
 * recorded again with `alreadyApplied`, because that attempt may have died
 * between the commit and its audit entry.
 */
function recordAudit(audit: AuditLog, job: Job, payload: EtlJobPayload, result: EtlResult): void {
  const details = {
    jobId: job.id,
    tableId: result.tableId,
    mode: payload.target.mode,
    fileId: payload.fileId,
    fileName: payload.fileName,
    rowsLoaded: result.rowsLoaded,
    rowsRejected: result.rowsRejected,
    alreadyApplied: result.alreadyApplied,
  };

  if (payload.target.mode === 'create' || payload.target.mode === 'replace') {
    audit.append({
      actor: payload.actor,
      action: payload.target.mode === 'create' ? 'table.created' : 'table.replaced',
      target: `${payload.workspace}/${payload.target.table}`,
      details: { ...details, columns: result.columns.map((column) => ({ name: column.name, label: column.label, type: column.type })) },
    });
  }

  audit.append({ actor: payload.actor, action: 'table.loaded', target: `${payload.workspace}/${payload.target.table}`, details });
}

/** Turns an error into a `PermanentJobError` when a retry cannot succeed, and leaves it as it is otherwise. */
function classify(error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted || error instanceof PermanentJobError) {
    return error;
  }

  const gateway = findGatewayError(error);

  if (gateway !== undefined) {
    return gateway.retryable ? error : new PermanentJobError(describe(error), { cause: error });
  }

  if (error instanceof EtlError && (PERMANENT_CODES.has(error.code) || (error.code === 'READ_FAILED' && !hasNetworkCause(error)))) {
    return new PermanentJobError(describe(error), { cause: error });
  }

  return error;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function findGatewayError(error: unknown): GatewayError | undefined {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 10; current = current.cause, depth += 1) {
    if (current instanceof GatewayError) {
      return current;
    }
  }

  return undefined;
}

/** True when a read failed because the download broke off (undici's `terminated`, a socket error), not because of the bytes. */
function hasNetworkCause(error: Error): boolean {
  for (let current: unknown = error.cause, depth = 0; current instanceof Error && depth < 10; current = current.cause, depth += 1) {
    const code = (current as { code?: unknown }).code;

    if (current.message === 'terminated' || (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_.+)$/u.test(code))) {
      return true;
    }
  }

  return false;
}
