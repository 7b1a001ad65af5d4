import { type Readable } from 'node:stream';

import { Injectable } from '@nestjs/common';
import { type FastifyReply } from 'fastify';

import { EtlError, type FileProfile, profileFile } from '@rokks/etl';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
import { ServiceContext } from '@rokks/service-kit';

import { type DataTransformSettings } from '../data-transform.settings';
import { EventStreamWriter } from '../events/event-stream-writer';
import { describeException } from '../http/data-transform-exception.filter';
import { FileStore } from './file-store';

export interface ProfileRequest {
  workspace: string;
  fileId: string;
  userId: string;
}

/** Builds the `schema` event: the detected format and each column's inferred type. */
export function schemaEvent(profile: FileProfile): Record<string, unknown> {
  return {
    format: profile.format,
    encoding: profile.encoding,
    delimiter: profile.delimiter,
    header: profile.header,
    columns: profile.columns.map((column) => ({
      name: column.name,
      label: column.label,
      inferredType: column.inferredType,
      // The options the inferred type was read with (a date format, say), so a
      // browser preview without a cast step reads the values as the load does.
      castOptions: column.castOptions,
      nullCount: column.nullCount,
      distinctEstimate: column.distinctEstimate,
      sample: column.sample,
      ambiguous: column.ambiguous,
      alternatives: column.alternatives,
    })),
    sampledRows: profile.sampledRows,
    complete: profile.complete,
    rowErrors: profile.rowErrors,
  };
}

/**
 * Runs profiles and writes their events to raw responses. A client that
 * disconnects aborts its profile, and open streams end at shutdown.
 */
@Injectable()
export class ProfileStreams {
  private readonly open = new Map<EventStreamWriter, AbortController>();

  constructor(
    private readonly files: FileStore,
    private readonly context: ServiceContext<DataTransformSettings>,
    @InjectPinoLogger('ProfileStreams') private readonly logger: PinoLogger,
  ) {}

  /** Takes over the response and streams the profile of a file to it. */
  async stream(reply: FastifyReply, request: ProfileRequest): Promise<void> {
    const log = { workspace: request.workspace, fileId: request.fileId, userId: request.userId };
    const controller = new AbortController();

    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });

    const writer = new EventStreamWriter(reply.raw, {
      heartbeatMs: this.context.settings.eventsHeartbeatMs,
      replaceableEvent: 'progress',
      onEnd: (reason) => {
        this.open.delete(writer);
        controller.abort(new Error(`the profile stream ended: ${reason}`));
        this.logger.debug({ ...log, reason }, 'profile stream closed');
      },
    });

    this.open.set(writer, controller);
    this.logger.debug(log, 'profile stream opened');

    let stream: Readable | undefined;

    try {
      ({ stream } = await this.files.open(request.workspace, request.fileId, controller.signal));

      const profile = await profileFile(stream, {
        signal: controller.signal,
        onProgress: (progress) => writer.send('progress', { bytesRead: progress.bytesRead, rowsRead: progress.rowsRead }),
      });

      writer.send('schema', schemaEvent(profile));
      writer.send('rows', { rows: profile.rows });
      writer.send('done', {});
    } catch (error) {
      if (!controller.signal.aborted) {
        writer.send('error', describeException(error, this.logger));
      } else if (!(error instanceof EtlError && error.code === 'ABORTED')) {
        this.logger.debug({ ...log, err: error }, 'profile stopped after its stream ended');
      }
    } finally {
      stream?.destroy();
      writer.finish();
    }
  }

  /** Ends every open stream and aborts its profile, for shutdown. */
  closeAll(): void {
    for (const writer of [...this.open.keys()]) {
      writer.close();
    }
  }
}
