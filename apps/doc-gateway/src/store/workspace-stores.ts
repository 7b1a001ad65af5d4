import { join } from 'node:path';

import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';

import {
  type DocStore,
  DocStoreError,
  EmbeddedDocStore,
  FirestoreDocStore,
  MonioDocStore,
} from '@rokks/doc-store';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
import { MeshClient, ReadinessChecks, ServiceContext } from '@rokks/service-kit';

import { type DocGatewaySettings } from '../doc-gateway.settings';

/** Workspace every request without one belongs to. */
export const DEFAULT_WORKSPACE = 'default';

const WORKSPACE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/u;

/** Checks a workspace id, which becomes a directory, a Firestore path segment and an object name segment. */
export function validateWorkspace(workspace: unknown): string {
  if (typeof workspace !== 'string' || !WORKSPACE_ID.test(workspace)) {
    throw new DocStoreError(
      'INVALID_NAME',
      `Invalid workspace ${JSON.stringify(workspace) ?? String(workspace)}: expected 1 to 64 letters, digits, "-" or "_", starting with a letter or digit.`,
      { kind: 'workspace', name: typeof workspace === 'string' ? workspace : null },
    );
  }

  return workspace;
}

function requireSetting(value: string | undefined, variable: string): string {
  if (value === undefined) {
    throw new DocStoreError(
      'UNAVAILABLE',
      `The firestore backend needs ${variable}; set it or choose DOC_BACKEND=embedded.`,
    );
  }

  return value;
}

/**
 * One store per workspace, so no request can reach another workspace's
 * documents or blobs. Stores open on first use and close at shutdown.
 * The embedded backend keeps workspace `w` in `<store dir>/workspaces/w`.
 * The firestore backend keeps it under the Firestore document
 * `<root>/workspaces/w` and the object prefix `<prefix>workspaces/w/`.
 * The mongo backend sends the workspace with every call to MonIO, which
 * keeps one database per workspace.
 */
@Injectable()
export class WorkspaceStores implements OnModuleInit, OnApplicationShutdown {
  private readonly stores = new Map<string, Promise<DocStore>>();

  constructor(
    private readonly context: ServiceContext<DocGatewaySettings>,
    private readonly readiness: ReadinessChecks,
    private readonly mesh: MeshClient,
    @InjectPinoLogger('WorkspaceStores') private readonly logger: PinoLogger,
  ) {}

  onModuleInit(): void {
    this.readiness.register(
      'doc-store',
      async () => {
        const store = await this.forWorkspace(DEFAULT_WORKSPACE);

        await store.checkHealth();

        return { backend: this.context.settings.backend };
      },
      { timeoutMs: 5000 },
    );
  }

  /** Returns the store of a workspace, opening it on first use. */
  async forWorkspace(workspace: string): Promise<DocStore> {
    const id = validateWorkspace(workspace);
    let store = this.stores.get(id);

    if (store === undefined) {
      store = this.open(id);
      this.stores.set(id, store);
      // A store that failed to open is retried by the next request.
      store.catch(() => this.stores.delete(id));
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
  }

  /** Looks up a registered MonIO instance, for the mongo backend without MONIO_URL. */
  private async findMonio(): Promise<string> {
    const instances = await this.context.registry.listInstances();
    const monio = instances.find((instance) => instance.service === 'monio');

    if (monio === undefined) {
      throw new DocStoreError(
        'UNAVAILABLE',
        'DOC_BACKEND=mongo needs the MonIO service, and no instance is registered; start monio or set MONIO_URL.',
      );
    }

    return monio.url;
  }

  private async open(workspace: string): Promise<DocStore> {
    const settings = this.context.settings;

    this.logger.info({ workspace, backend: settings.backend }, 'opening document store');

    switch (settings.backend) {
      case 'embedded':
        return EmbeddedDocStore.open({
          directory: join(
            settings.embeddedDirectory ?? join(this.context.serviceDataDir, 'store'),
            'workspaces',
            workspace,
          ),
          maxBlobBytes: settings.maxBlobBytes,
          logger: this.context.logger.child({ workspace }),
        });

      case 'firestore':
        return FirestoreDocStore.open({
          projectId: requireSetting(settings.firestoreProjectId, 'FIRESTORE_PROJECT_ID'),
          databaseId: settings.firestoreDatabaseId,
          rootPath: [settings.firestoreRootPath, 'workspaces', workspace]
            .filter((segment) => segment !== undefined)
            .join('/'),
          bucket: requireSetting(settings.gcsBucket, 'GCS_BUCKET'),
          blobPrefix: `${settings.gcsPrefix ?? ''}workspaces/${workspace}/`,
          maxBlobBytes: settings.maxBlobBytes,
          firestoreEmulatorHost: settings.firestoreEmulatorHost,
          storageApiEndpoint: settings.gcsApiEndpoint,
          keyFilename: settings.googleCredentialsFile,
          logger: this.context.logger.child({ workspace }),
        });

      case 'mongo':
        return new MonioDocStore({
          url: settings.monioUrl ?? (() => this.findMonio()),
          fetch: (url, init) => this.mesh.fetch(url, init),
          identity: () => this.context.identity,
          workspace,
        });
    }
  }
}
