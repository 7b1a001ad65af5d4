import { type Readable } from 'node:stream';

import { Injectable } from '@nestjs/common';

import { previewFile } from '@rokks/etl';
import { type EtlJobPayload, WorkerClient } from '@rokks/gateway-clients';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';

import { FileStore } from '../files/file-store';
import { invalidField } from '../http/transform-http.error';
import { checkSpecShape, type RunBody } from '../http/transform-schemas';

export interface RunRequest {
  workspace: string;
  actor: string;
  body: RunBody;
  /** The request's `Idempotency-Key`: a repeated run request with the same key returns the first job. */
  idempotencyKey?: string;
}

/**
 * Starts ETL runs: it checks what can be checked without reading the whole
 * file, then submits an `ETL` job to the worker, which loads the file.
 */
@Injectable()
export class RunsService {
  constructor(
    private readonly files: FileStore,
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

    const file = await this.files.describe(workspace, body.fileId);

    // NOTE: only a new table is named from the file's own headers. Other
    // modes map the headers onto the existing table's columns, which the
    // worker reads, so their column names are checked by the job.
    if (target.mode === 'create') {
      await this.checkSpecOnSample(workspace, body, signal);
    }

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

  /** Compiles the spec against the columns of the file's head; an invalid spec throws 400 `INVALID_SPEC`. */
  private async checkSpecOnSample(workspace: string, body: RunBody, signal?: AbortSignal): Promise<void> {
    let stream: Readable | undefined;

    try {
      ({ stream } = await this.files.open(workspace, body.fileId, signal));
      await previewFile(stream, body.spec, { limit: 0, maxErrors: 0, signal });
    } finally {
      stream?.destroy();
    }
  }
}
