import { createHash } from 'node:crypto';

import { type RejectsSink, type RejectsWriter } from '@rokks/etl';
import { type DocGatewayClient, PushedBody, uploadBlobPath } from '@rokks/gateway-clients';

/**
 * Returns the file id of a job's rejects file: `file_` and 32 hex digits
 * derived from the job id, so every attempt of the job writes the same blob
 * and a retry replaces what a crashed attempt left.
 */
export function rejectsFileId(jobId: string): string {
  return `file_${createHash('sha256').update(`rejects:${jobId}`).digest('hex').slice(0, 32)}`;
}

/**
 * A rejects sink that streams the CSV into the workspace's blob store at
 * `uploads/<fileId>`, where uploaded files live, so the rejects file can be
 * read like any other file.
 */
export class BlobRejectsSink implements RejectsSink {
  constructor(
    private readonly docs: DocGatewayClient,
    private readonly workspace: string,
    private readonly fileId: string,
  ) {}

  open(): Promise<RejectsWriter> {
    const path = uploadBlobPath(this.fileId);
    const body = new PushedBody();
    const upload = this.docs.putBlob(this.workspace, path, body, { contentType: 'text/csv; charset=utf-8' });
    // Awaited while a write is pending and at close; this keeps an early failure from going unhandled.
    const failed: Promise<never> = upload.then(() => {
      throw new Error(`The upload of rejects file ${path} ended before the file was complete.`);
    });

    failed.catch(() => undefined);
    upload.catch(() => undefined);

    return Promise.resolve({
      write: async (csvText: string) => {
        await Promise.race([body.push(Buffer.from(csvText, 'utf8')), failed]);
      },
      close: async () => {
        body.end();

        await upload;

        return this.fileId;
      },
      abort: async () => {
        body.fail(new Error('The rejects file was discarded.'));
        await upload.catch(() => undefined);
        await this.docs.deleteBlob(this.workspace, path);
      },
    });
  }
}
