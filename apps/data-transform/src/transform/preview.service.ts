import { type Readable } from 'node:stream';

import { Injectable } from '@nestjs/common';

import { previewFile, type PreviewResult } from '@rokks/etl';
import { ServiceContext } from '@rokks/service-kit';

import { type DataTransformSettings } from '../data-transform.settings';
import { FileStore } from '../files/file-store';
import { invalidField, TransformHttpError } from '../http/transform-http.error';
import { checkSpecShape, type PreviewBody, type PreviewResponse } from '../http/transform-schemas';

/**
 * Previews a spec on the head of an uploaded file or on inline CSV text,
 * with `previewFile` of `@rokks/etl`: the same reader, inferred types and
 * transformation as the load, so the preview and the loaded table agree.
 */
@Injectable()
export class PreviewService {
  constructor(
    private readonly files: FileStore,
    private readonly context: ServiceContext<DataTransformSettings>,
  ) {}

  async preview(workspace: string, body: PreviewBody, signal?: AbortSignal): Promise<PreviewResponse> {
    const { maxPreviewRows, maxInlineCsvBytes } = this.context.settings;
    const limit = body.limit ?? Math.min(100, maxPreviewRows);

    if (limit > maxPreviewRows) {
      throw invalidField('limit', `Invalid limit: must be at most ${maxPreviewRows} rows.`);
    }

    if ((body.fileId === undefined) === (body.csv === undefined)) {
      throw invalidField(
        body.fileId === undefined ? 'fileId' : 'csv',
        'Invalid body: send either fileId (an uploaded file) or csv (inline text), not both and not neither.',
      );
    }

    checkSpecShape(body.spec);

    if (body.csv !== undefined) {
      const bytes = Buffer.byteLength(body.csv, 'utf8');

      if (bytes > maxInlineCsvBytes) {
        throw new TransformHttpError(
          'TOO_LARGE',
          `The inline csv has ${bytes} bytes, over the limit of ${maxInlineCsvBytes}; upload the file with POST /api/transform/files and preview it by fileId.`,
          { field: 'csv', limit: maxInlineCsvBytes },
        );
      }

      return toResponse(await previewFile(body.csv, body.spec, { limit, signal }));
    }

    let stream: Readable | undefined;

    try {
      ({ stream } = await this.files.open(workspace, body.fileId as string, signal));

      return toResponse(await previewFile(stream, body.spec, { limit, signal }));
    } finally {
      stream?.destroy();
    }
  }
}

function toResponse(result: PreviewResult): PreviewResponse {
  return {
    columns: result.columns.map(({ name, type }) => ({ name, type })),
    rows: result.rows,
    errors: result.errors.map(({ row, line, column, value, message }) => ({ row, line, column, value, message })),
    stats: { rowsIn: result.stats.rowsIn, rowsOut: result.stats.rowsOut, rowsRejected: result.stats.rowsRejected },
    failed: result.failed,
    complete: result.complete,
  };
}
