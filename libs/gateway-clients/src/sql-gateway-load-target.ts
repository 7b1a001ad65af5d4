import { type Response } from 'undici';

import { type LoadCommitResult, type LoadRequest, type LoadTarget, type LoadTargetWriter } from '@rokks/etl';

import { PushedBody } from './copy-body';
import { JSON_HEADERS, type ServiceCaller } from './gateway-connection';
import { GatewayError } from './gateway-error';
import { type LoadStatus } from './sql-gateway-client';

/** Media type of a rows body: PostgreSQL COPY text. */
export const COPY_TEXT_MEDIA_TYPE = 'text/tab-separated-values';

/**
 * Bytes after which a rows request ends and the next write starts another.
 * At the rates of a normal load a request then lasts seconds, well below
 * undici's 300 s response timeouts, however long the whole load takes.
 */
export const MAX_ROWS_REQUEST_BYTES = 64 * 1024 * 1024;

/**
 * A `LoadTarget` over the SQL gateway's Load API. `begin` opens the load
 * with `POST /internal/loads`. The writes feed a streaming
 * `PUT /internal/loads/<id>/rows` request, started at the first write and
 * replaced by a new one after `MAX_ROWS_REQUEST_BYTES`. `commit` ends the
 * last body and then sends `POST /internal/loads/<id>/commit`.
 * A load id that committed before is not applied again: its writer
 * discards the rows and `commit` reports `alreadyApplied`.
 */
export class SqlGatewayLoadTarget implements LoadTarget {
  constructor(
    private readonly caller: ServiceCaller,
    readonly workspace: string,
    private readonly maxRequestBytes = MAX_ROWS_REQUEST_BYTES,
  ) {}

  async begin(request: LoadRequest): Promise<LoadTargetWriter> {
    const body = {
      workspace: this.workspace,
      table: request.table,
      loadId: request.loadId,
      mode: request.mode,
      columns: request.columns.map((column) => ({
        name: column.name,
        type: column.type,
        ...(column.label === '' ? {} : { label: column.label }),
      })),
      ...(request.key === null ? {} : { key: [...request.key] }),
    };
    const status = await this.caller.json<LoadStatus>(
      `Beginning load ${JSON.stringify(request.loadId)} into table ${JSON.stringify(request.table)}`,
      '/internal/loads',
      { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) },
      [200, 201],
    );

    if (status.state === 'committed') {
      return new AppliedLoadWriter(commitResult(status, request.loadId));
    }

    return new StreamingLoadWriter(this.caller, request.loadId, this.maxRequestBytes);
  }
}

function commitResult(status: LoadStatus, loadId: string): LoadCommitResult {
  if (status.result === undefined) {
    throw new GatewayError('sql-gateway', null, `Load ${JSON.stringify(loadId)} is ${status.state} but the gateway sent no result.`);
  }

  return { tableId: status.result.tableId, rowsLoaded: status.result.rowsLoaded, alreadyApplied: status.alreadyApplied || status.result.alreadyApplied };
}

/** The writer of a load id that had committed before: rows are ignored. */
class AppliedLoadWriter implements LoadTargetWriter {
  constructor(private readonly result: LoadCommitResult) {}

  write(): Promise<void> {
    return Promise.resolve();
  }

  commit(): Promise<LoadCommitResult> {
    return Promise.resolve({ ...this.result, alreadyApplied: true });
  }

  abort(): Promise<void> {
    return Promise.resolve();
  }
}

/** The streaming rows request of a load. */
interface RowsRequest {
  body: PushedBody;
  response: Promise<LoadStatus>;
  /** Rejects when the request ends before `commit`, so a pending write does not wait forever. */
  ended: Promise<never>;
}

class StreamingLoadWriter implements LoadTargetWriter {
  private rows: RowsRequest | null = null;
  private bytesInRequest = 0;
  private readonly controller = new AbortController();
  private finished = false;

  constructor(
    private readonly caller: ServiceCaller,
    private readonly loadId: string,
    private readonly maxRequestBytes: number,
  ) {}

  private get path(): string {
    return `/internal/loads/${encodeURIComponent(this.loadId)}`;
  }

  async write(copyText: string | Uint8Array): Promise<void> {
    if (this.finished) {
      throw new Error(`Load ${JSON.stringify(this.loadId)} has ended; no more rows can be written.`);
    }

    if (copyText.length === 0) {
      return;
    }

    const rows = this.startRequest();
    const bytes = typeof copyText === 'string' ? Buffer.from(copyText, 'utf8') : copyText;

    // push resolves when undici pulls the next piece. The fetch of undici 7
    // copies each piece of an async-iterable body when it takes it, so the
    // caller may reuse the bytes after this (sql-gateway-load-target.spec.ts
    // checks the bytes sent).
    await Promise.race([rows.body.push(bytes), rows.ended]);
    this.bytesInRequest += bytes.byteLength;

    if (this.bytesInRequest >= this.maxRequestBytes) {
      await this.endRequest();
    }
  }

  async commit(): Promise<LoadCommitResult> {
    this.finished = true;
    await this.endRequest();

    const status = await this.caller.json<LoadStatus>(`Committing load ${JSON.stringify(this.loadId)}`, `${this.path}/commit`, { method: 'POST' });

    return commitResult(status, this.loadId);
  }

  /** Ends the body of the current rows request, if any, and waits for the gateway to take every row of it. */
  private async endRequest(): Promise<void> {
    const rows = this.rows;

    if (rows === null) {
      return;
    }

    this.rows = null;
    this.bytesInRequest = 0;
    rows.body.end();
    await rows.response;
  }

  async abort(): Promise<void> {
    this.finished = true;

    if (this.rows !== null) {
      this.rows.body.fail(new Error(`Load ${JSON.stringify(this.loadId)} was aborted.`));
      this.controller.abort();
      await this.rows.response.catch(() => undefined);
    }

    let response: Response;

    try {
      response = await this.caller.call(`Aborting load ${JSON.stringify(this.loadId)}`, this.path, { method: 'DELETE' }, [204, 404]);
    } catch (error) {
      // A load that the gateway had already rolled back is aborted, which is all that abort promises.
      if (error instanceof GatewayError && error.status === 409 && /abort/i.test(error.message)) {
        return;
      }

      throw error;
    }

    await response.body?.cancel();
  }

  private startRequest(): RowsRequest {
    if (this.rows !== null) {
      return this.rows;
    }

    const body = new PushedBody();
    const response = this.caller.json<LoadStatus>(`Writing the rows of load ${JSON.stringify(this.loadId)}`, `${this.path}/rows`, {
      method: 'PUT',
      headers: { 'content-type': COPY_TEXT_MEDIA_TYPE },
      body,
      duplex: 'half',
      signal: this.controller.signal,
    });
    const ended = response.then((): never => {
      throw new GatewayError('sql-gateway', null, `The rows request of load ${JSON.stringify(this.loadId)} ended before its body was sent.`);
    });

    // Both are awaited only while a write or the commit is pending; unawaited rejections must not crash the process.
    ended.catch(() => undefined);
    response.catch(() => undefined);
    this.rows = { body, response, ended };

    return this.rows;
  }
}
