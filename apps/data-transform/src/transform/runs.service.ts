import { type Readable } from 'node:stream';

import { Injectable } from '@nestjs/common';

import { type ExistingColumn, previewFile } from '@rokks/etl';
import { type EtlJobPayload, SqlGatewayClient, WorkerClient } from '@rokks/gateway-clients';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';

import { FileStore, type StoredFile } from '../files/file-store';
import { invalidField, TransformHttpError } from '../http/transform-http.error';
import { checkSpecShape, type RunBody } from '../http/transform-schemas';

export interface RunRequest {
  workspace: string;
  actor: string;
  body: RunBody;
  /** The request's `Idempotency-Key`: a repeated run request with the same key returns the first job. */
  idempotencyKey?: string;
}

/**
 * Starts ETL runs. It checks what can be checked without reading the whole
 * file, the way the worker's ETL job will read it, then submits an `ETL`
 * job to the worker, which loads the file.
 */
@Injectable()
export class RunsService {
  constructor(
    private readonly files: FileStore,
    private readonly sql: SqlGatewayClient,
    private readonly worker: WorkerClient,
    @InjectPinoLogger('RunsService') private readonly logger: PinoLogger,
  ) {}

  async start(request: RunRequest, signal?: AbortSignal): Promise<{ jobId: string }> {
    const { body, workspace } = request;
    const { target } = body;

    if (target.mode === 'upsert' && (target.key === undefined || target.key.length === 0)) {
      throw invalidField('target.key', 'Invalid target.key: mode "upsert" needs the key columns, such as ["id"].');
    }

    if (target.mode !== 'upsert' && target.key !== undefined) {
      throw invalidField('target.key', `Invalid target.key: it applies only to mode "upsert", not "${target.mode}".`);
    }

    checkSpecShape(body.spec);

    const file = await this.checkFileAndTarget(workspace, body, signal);

    const payload: EtlJobPayload = {
      workspace,
      fileId: file.fileId,
      fileName: file.name,
      spec: body.spec,
      target: target.key === undefined ? { table: target.table, mode: target.mode } : { ...target },
      actor: request.actor,
    };
    const job = await this.worker.submitJob(
      {
        type: 'ETL',
        payload,
        actor: request.actor,
        ...(request.idempotencyKey === undefined
          ? {}
          : { idempotencyKey: `transform-run:${workspace}:${request.idempotencyKey}` }),
      },
      { signal },
    );

    this.logger.info(
      { workspace, fileId: file.fileId, jobId: job.id, table: target.table, mode: target.mode, actor: request.actor },
      'ETL run submitted',
    );

    return { jobId: job.id };
  }

  /**
   * Describes the file and checks the target and the spec on the file's
   * head. A `create` has no existing columns to name the file's columns
   * after, so its three checks run at once. Their errors are raised in a
   * fixed order, whichever comes first: the file, the table, then the spec.
   */
  private async checkFileAndTarget(workspace: string, body: RunBody, signal?: AbortSignal): Promise<StoredFile> {
    if (body.target.mode !== 'create') {
      const file = await this.files.describe(workspace, body.fileId);
      const existingColumns = await this.readExistingColumns(workspace, body, signal);

      await this.checkSpecOnSample(workspace, body, existingColumns, signal);

      return file;
    }

    const [file, table, spec] = await Promise.allSettled([
      this.files.describe(workspace, body.fileId),
      this.readExistingColumns(workspace, body, signal),
      this.checkSpecOnSample(workspace, body, undefined, signal),
    ]);

    for (const check of [file, table, spec]) {
      if (check.status === 'rejected') {
        throw check.reason;
      }
    }

    return (file as PromiseFulfilledResult<StoredFile>).value;
  }

  /**
   * Returns the columns of the target table that the file's headers map
   * onto, as the ETL job reads them: none for `create`, which throws 409
   * when the table exists.
   */
  private async readExistingColumns(
    workspace: string,
    body: RunBody,
    signal?: AbortSignal,
  ): Promise<ExistingColumn[] | undefined> {
    const { table, mode } = body.target;

    if (mode !== 'create') {
      return this.sql.existingColumns(workspace, table, { signal });
    }

    // NOTE: a table created between this check and the job still fails the job with 409.
    if ((await this.sql.findTable(workspace, table, { signal })) !== null) {
      throw new TransformHttpError(
        'CONFLICT',
        `Table ${JSON.stringify(table)} exists; choose another name, or use mode "replace", "append" or "upsert".`,
        { table },
      );
    }

    return undefined;
  }

  /**
   * Compiles the spec against the columns of the file's head, named as the
   * load names them, and checks the upsert key against the output columns.
   * An invalid spec throws 400 `INVALID_SPEC`.
   */
  private async checkSpecOnSample(
    workspace: string,
    body: RunBody,
    existingColumns: ExistingColumn[] | undefined,
    signal?: AbortSignal,
  ): Promise<void> {
    let stream: Readable | undefined;
    let columns: string[];

    try {
      ({ stream } = await this.files.open(workspace, body.fileId, signal));

      const preview = await previewFile(stream, body.spec, {
        limit: 0,
        maxErrors: 0,
        signal,
        ...(existingColumns === undefined ? {} : { existingColumns }),
      });

      columns = preview.columns.map((column) => column.name);
    } finally {
      stream?.destroy();
    }

    const missing = (body.target.key ?? []).filter((name) => !columns.includes(name));

    if (missing.length > 0) {
      throw invalidField(
        'target.key',
        `Invalid target.key: ${missing.map((name) => JSON.stringify(name)).join(', ')} is not an output column; the columns are ${columns.join(', ')}.`,
      );
    }
  }
}
