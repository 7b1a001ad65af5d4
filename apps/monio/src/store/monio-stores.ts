import { createHash } from 'node:crypto';

import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { MongoClient } from 'mongodb';

import { DEFAULT_MONIO_WORKSPACE, DocStoreError, MongoDocStore } from '@rokks/doc-store';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
import { ReadinessChecks, ServiceContext } from '@rokks/service-kit';

import { type MonioSettings } from '../monio.settings';

const WORKSPACE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/u;

/** MongoDB limits database names to 63 bytes and rejects two that differ only in case. */
const MAX_DATABASE_NAME = 63;

/** Checks a workspace id from a message or query string (the doc gateway's rule). */
export function validateWorkspace(workspace: unknown): string {
  const value = workspace ?? DEFAULT_MONIO_WORKSPACE;

  if (typeof value !== 'string' || !WORKSPACE_ID.test(value)) {
    throw new DocStoreError(
      'INVALID_NAME',
      `Invalid workspace ${JSON.stringify(value) ?? String(value)}: expected 1 to 64 letters, digits, "-" or "_", starting with a letter or digit.`,
      { kind: 'workspace', name: typeof value === 'string' ? value.slice(0, 1000) : null },
    );
  }

  return value;
}

/**
 * Returns the database of a workspace: `<prefix>_<workspace>` for lower-case
 * ids that fit, and `<prefix>-h<hash>` for the others, since MongoDB
 * database names are case-insensitively unique and at most 63 bytes. The
 * character after the prefix keeps the two forms apart.
 */
export function databaseName(prefix: string, workspace: string): string {
  const direct = `${prefix}_${workspace}`;

  if (direct.length <= MAX_DATABASE_NAME && workspace === workspace.toLowerCase()) {
    return direct;
  }

  return `${prefix}-h${createHash('sha256').update(workspace).digest('hex').slice(0, 20)}`;
}

/**
 * One MongoDB store per workspace, each in its own database, over one shared
 * client. Stores open on first use; one that fails to open (MongoDB down) is
 * opened again by the next request.
 */
@Injectable()
export class MonioStores implements OnModuleInit, OnApplicationShutdown {
  /** Null when no MongoDB is configured (MONGO_URL unset). */
  private readonly client: MongoClient | null;
  private readonly stores = new Map<string, Promise<MongoDocStore>>();

  constructor(
    private readonly context: ServiceContext<MonioSettings>,
    private readonly readiness: ReadinessChecks,
    @InjectPinoLogger('MonioStores') private readonly logger: PinoLogger,
  ) {
    const mongoUrl = context.settings.mongoUrl;

    this.client =
      mongoUrl === undefined
        ? null
        : new MongoClient(mongoUrl, { serverSelectionTimeoutMS: context.settings.serverSelectionTimeoutMs });
  }

  onModuleInit(): void {
    if (this.client === null) {
      this.logger.info('MONGO_URL is not set: MonIO stays idle and returns 503 to document calls');
      this.readiness.register('mongodb', () => Promise.resolve({ configured: false }));

      return;
    }

    this.readiness.register(
      'mongodb',
      async () => {
        const store = await this.forWorkspace(DEFAULT_MONIO_WORKSPACE);

        await store.checkHealth();

        return { transactions: store.usesTransactions };
      },
      { timeoutMs: this.context.settings.serverSelectionTimeoutMs + 1000 },
    );
  }

  /** Returns the store of a workspace, opening it on first use. */
  async forWorkspace(workspace: unknown): Promise<MongoDocStore> {
    const id = validateWorkspace(workspace);

    if (this.client === null) {
      throw new DocStoreError('UNAVAILABLE', 'MonIO has no MongoDB configured: set MONGO_URL and restart the service.');
    }

    let store = this.stores.get(id);

    if (store === undefined) {
      store = this.open(id, this.client);
      this.stores.set(id, store);
      store.catch((error: unknown) => {
        this.stores.delete(id);
        this.logger.warn(
          { err: error, workspace: id },
          'document store did not open, the next request retries',
        );
      });
    }

    return store;
  }

  async onApplicationShutdown(): Promise<void> {
    const stores = [...this.stores.values()];

    this.stores.clear();

    for (const pending of stores) {
      try {
        await (await pending).close();
      } catch (error) {
        this.logger.warn({ err: error }, 'document store did not close cleanly');
      }
    }

    await this.client?.close();
  }

  private async open(workspace: string, client: MongoClient): Promise<MongoDocStore> {
    const settings = this.context.settings;
    const database = databaseName(settings.databasePrefix, workspace);

    this.logger.info({ workspace, database }, 'opening document store');

    return MongoDocStore.open({
      client,
      databaseName: database,
      maxBlobBytes: settings.maxBlobBytes,
      transactions: settings.transactions,
      batchLeaseMs: settings.batchLeaseMs,
      recoveryIntervalMs: settings.recoveryIntervalMs,
      logger: this.context.logger.child({ workspace }),
    });
  }
}
