import { HttpException, HttpStatus, Injectable, type OnModuleDestroy } from '@nestjs/common';

import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
import { ServiceContext } from '@rokks/service-kit';
import {
  type LoadMode,
  type LoadOptions,
  type LoadResult,
  type LoadWriter,
  SqlEngine,
  SqlEngineError,
} from '@rokks/sql-engine';

import { type SqlGatewaySettings } from '../sql-gateway.settings';
import { CopyTextChunker } from './copy-text-chunker';

/** Status of a load, as every Load API route returns it. */
export interface LoadStatus {
  loadId: string;
  workspace: string;
  table: string;
  mode: LoadMode;
  /** `open` takes rows; `committed` has committed, now or (with `alreadyApplied`) before. */
  state: 'open' | 'committed';
  /** True when this load id had committed before: rows are ignored and nothing changes. */
  alreadyApplied: boolean;
  /** Bytes of COPY text received over all requests of the load. */
  bytesReceived: number;
  startedAt: string;
  /** The commit's result, once committed. */
  result?: LoadResult;
}

interface LoadSession {
  options: LoadOptions;
  /** Null while `beginLoad` runs. */
  writer: LoadWriter | null;
  state: 'opening' | 'open' | 'committed' | 'aborted';
  /** A request is streaming rows into the load or committing it. */
  busy: boolean;
  chunker: CopyTextChunker;
  bytesReceived: number;
  startedAt: Date;
  result?: LoadResult;
  idleTimer?: NodeJS.Timeout;
}

function loadNotFound(loadId: string): SqlEngineError {
  return new SqlEngineError('NOT_FOUND', `load ${loadId} not found: begin it with POST /internal/loads`, { value: loadId });
}

/**
 * Loads in progress over the internal Load API, by load id. A load is one
 * engine transaction that stays open across requests: begin, any number of
 * row requests, then commit or abort. A load that no request touches for
 * `loadIdleTimeoutMs` is aborted. A committed load is removed after the
 * same time, and from then on a retry of its load id gets `alreadyApplied`
 * from the engine.
 *
 * NOTE: the sessions live in this process, so every request of one load
 * must reach the same gateway instance.
 */
@Injectable()
export class LoadSessions implements OnModuleDestroy {
  private readonly sessions = new Map<string, LoadSession>();

  constructor(
    private readonly engine: SqlEngine,
    private readonly context: ServiceContext<SqlGatewaySettings>,
    @InjectPinoLogger('LoadSessions') private readonly logger: PinoLogger,
  ) {}

  /**
   * Loads open at once. PGlite has one session, which an open load keeps
   * until it ends, so a second load would wait for the first inside
   * `beginLoad`. A caller that sends the first load's rows only after the
   * second has begun would then stall until the idle timeout aborts the
   * first, so on PGlite the maximum is one.
   */
  get maxOpenLoads(): number {
    return this.engine.backendKind === 'pglite' ? 1 : this.context.settings.maxOpenLoads;
  }

  /** Loads that hold a database transaction now. */
  get openCount(): number {
    let count = 0;

    for (const session of this.sessions.values()) {
      if (session.state === 'opening' || session.state === 'open') {
        count += 1;
      }
    }

    return count;
  }

  /**
   * Begins a load. A load id that committed returns its result. A load id
   * that is open here is aborted and begun again, because a retry means
   * the caller lost the earlier attempt.
   */
  async begin(options: LoadOptions): Promise<LoadStatus> {
    const existing = this.sessions.get(options.loadId);

    if (existing?.state === 'committed') {
      this.touch(options.loadId, existing);

      return this.describe(existing, true);
    }

    if (existing !== undefined) {
      this.assertIdle(options.loadId, existing);
      await this.discard(options.loadId, existing, 'load begun again');
    }

    if (this.openCount >= this.maxOpenLoads) {
      throw new HttpException(
        `${this.openCount} loads are open, the maximum on this database; retry when one has finished`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }

    const session: LoadSession = {
      options,
      writer: null,
      state: 'opening',
      busy: true,
      chunker: new CopyTextChunker(options.table),
      bytesReceived: 0,
      startedAt: new Date(),
    };

    this.sessions.set(options.loadId, session);

    try {
      session.writer = await this.engine.beginLoad(options);
    } catch (error) {
      this.sessions.delete(options.loadId);
      throw error;
    } finally {
      session.busy = false;
    }

    if (session.state === 'aborted') {
      // The service began stopping while the engine opened the load.
      await session.writer.abort();
      throw new SqlEngineError('CONFLICT', `load ${options.loadId} was aborted while it began`, { value: options.loadId });
    }

    if (session.writer.alreadyApplied) {
      session.result = await session.writer.commit();
      session.state = 'committed';
      this.logger.info(this.logFields(session), 'load already applied');
    } else {
      session.state = 'open';
      this.logger.info(this.logFields(session), 'load begun');
    }

    this.touch(options.loadId, session);

    return this.describe(session);
  }

  /**
   * Streams one request body of COPY text into the load. Chunks go to the
   * database one at a time, and the next chunk is read only when the
   * database has taken the previous one, so a slow database slows the
   * sender instead of filling memory. Any failure aborts the whole load.
   */
  async writeRows(loadId: string, body: AsyncIterable<Buffer | string>): Promise<LoadStatus> {
    const session = this.require(loadId);

    this.assertIdle(loadId, session);

    if (session.state === 'committed') {
      // A retried request of a load that had committed: nothing to write,
      // but reading the body to its end lets the connection carry the next request.
      await drain(body);
      this.touch(loadId, session);

      return this.describe(session, true);
    }

    const writer = session.writer as LoadWriter;

    session.busy = true;
    this.stopTimer(session);

    try {
      for await (const chunk of body) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;

        session.bytesReceived += bytes.length;

        const text = session.chunker.push(bytes);

        if (text !== null) {
          await writer.writeCopyText(text);
        }
      }

      const rows = session.chunker.takeRows();

      if (rows !== null) {
        await writer.writeCopyText(rows);
      }

      if (session.state === 'aborted') {
        throw new SqlEngineError('CONFLICT', `load ${loadId} was aborted while this request ran`, { value: loadId });
      }
    } catch (error) {
      throw await this.fail(loadId, session, error, 'rows');
    } finally {
      session.busy = false;
    }

    this.touch(loadId, session);

    return this.describe(session);
  }

  /** Commits the load; a committed load returns its result again. */
  async commit(loadId: string): Promise<LoadStatus> {
    const session = this.require(loadId);

    this.assertIdle(loadId, session);

    if (session.state === 'committed') {
      this.touch(loadId, session);

      return this.describe(session, true);
    }

    const writer = session.writer as LoadWriter;

    session.busy = true;
    this.stopTimer(session);

    try {
      const rest = session.chunker.takeRest();

      if (rest !== null) {
        await writer.writeCopyText(rest);
      }

      session.result = await writer.commit();
    } catch (error) {
      throw await this.fail(loadId, session, error, 'commit');
    } finally {
      session.busy = false;
    }

    session.state = 'committed';
    this.logger.info(
      {
        ...this.logFields(session),
        tableId: session.result.tableId,
        rows: session.result.rowsLoaded,
        rowCount: session.result.rowCount,
        addedColumns: session.result.addedColumns,
        alreadyApplied: session.result.alreadyApplied,
        durationMs: Date.now() - session.startedAt.getTime(),
      },
      'load committed',
    );
    this.touch(loadId, session);

    return this.describe(session);
  }

  /**
   * Aborts an open load: nothing it wrote stays. A request streaming rows
   * into it fails. A committed load cannot be aborted (409).
   */
  async abort(loadId: string): Promise<void> {
    const session = this.require(loadId);

    if (session.state === 'committed') {
      throw new SqlEngineError('CONFLICT', `load ${loadId} has committed and cannot be aborted`, { value: loadId });
    }

    if (session.state === 'opening') {
      this.assertIdle(loadId, session);
    }

    await this.discard(loadId, session, 'abort requested');
  }

  status(loadId: string): LoadStatus {
    return this.describe(this.require(loadId));
  }

  /** Aborts every open load when the service stops; their transactions roll back. */
  async onModuleDestroy(): Promise<void> {
    for (const [loadId, session] of [...this.sessions]) {
      await this.discard(loadId, session, 'service stopping');
    }
  }

  private require(loadId: string): LoadSession {
    const session = this.sessions.get(loadId);

    if (session === undefined || session.state === 'aborted') {
      throw loadNotFound(loadId);
    }

    return session;
  }

  private assertIdle(loadId: string, session: LoadSession): void {
    if (session.busy) {
      throw new SqlEngineError('CONFLICT', `load ${loadId} is busy with another request; send its requests one after another`, {
        value: loadId,
      });
    }
  }

  /** Aborts the load after a failed request and returns the error to throw. */
  private async fail(loadId: string, session: LoadSession, error: unknown, step: 'rows' | 'commit'): Promise<unknown> {
    const abortedElsewhere = session.state === 'aborted';

    await this.discard(loadId, session, `${step} failed`, error);

    if (abortedElsewhere) {
      return new SqlEngineError('CONFLICT', `load ${loadId} was aborted while this request ran`, { value: loadId });
    }

    if (isBodyInterrupted(error)) {
      return new SqlEngineError('INVALID_INPUT', `the request body of load ${loadId} ended early; the load was aborted`, {
        value: loadId,
      });
    }

    return error;
  }

  /** Rolls an open load back (a failed writer has done so already) and removes it from the map. */
  private async discard(loadId: string, session: LoadSession, reason: string, error?: unknown): Promise<void> {
    const wasOpen = session.state === 'open' || session.state === 'opening';

    this.stopTimer(session);
    session.state = 'aborted';

    if (this.sessions.get(loadId) === session) {
      this.sessions.delete(loadId);
    }

    if (!wasOpen) {
      return;
    }

    try {
      await session.writer?.abort();
    } catch (abortError) {
      this.logger.warn({ ...this.logFields(session), err: abortError }, 'load rollback failed');
    }

    this.logger.info({ ...this.logFields(session), reason, err: error }, 'load aborted');
  }

  /** Restarts the idle timer after a request: when it fires, it aborts an open load or removes a committed one. */
  private touch(loadId: string, session: LoadSession): void {
    this.stopTimer(session);
    session.idleTimer = setTimeout(() => {
      if (session.busy || this.sessions.get(loadId) !== session) {
        return;
      }

      if (session.state === 'committed') {
        this.sessions.delete(loadId);

        return;
      }

      this.logger.warn({ ...this.logFields(session), idleMs: this.context.settings.loadIdleTimeoutMs }, 'load idle too long');
      void this.discard(loadId, session, 'idle timeout');
    }, this.context.settings.loadIdleTimeoutMs);
    session.idleTimer.unref();
  }

  private stopTimer(session: LoadSession): void {
    clearTimeout(session.idleTimer);
    session.idleTimer = undefined;
  }

  /** Builds the load's status; `retried` marks a repeated request of a committed load, which changes nothing. */
  private describe(session: LoadSession, retried = false): LoadStatus {
    const { options } = session;
    const alreadyApplied = retried || (session.writer?.alreadyApplied ?? false);
    const result = session.result === undefined ? undefined : { ...session.result, alreadyApplied: session.result.alreadyApplied || retried };

    return {
      loadId: options.loadId,
      workspace: options.workspace,
      table: options.table,
      mode: options.mode,
      state: session.state === 'committed' ? 'committed' : 'open',
      alreadyApplied,
      bytesReceived: session.bytesReceived,
      startedAt: session.startedAt.toISOString(),
      ...(result === undefined ? {} : { result }),
    };
  }

  private logFields(session: LoadSession): Record<string, unknown> {
    return {
      loadId: session.options.loadId,
      workspace: session.options.workspace,
      table: session.options.table,
      mode: session.options.mode,
      bytes: session.bytesReceived,
    };
  }
}

async function drain(body: AsyncIterable<unknown>): Promise<void> {
  const iterator = body[Symbol.asyncIterator]();

  while (!(await iterator.next()).done) {
    // Each chunk is dropped as it arrives.
  }
}

/** Node reports a request body cut off by the client as `aborted` or a reset socket. */
function isBodyInterrupted(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;

  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (error instanceof Error && error.message === 'aborted');
}
