import { createServer, type Server, type Socket } from 'node:net';

import { type Document } from 'bson';

import { runCommand } from './commands/run-command';
import { WireCursorRegistry } from './wire-cursors';
import {
  encodeOpMsg,
  encodeOpReply,
  MessageFramer,
  MORE_TO_COME,
  parseMessage,
  type WireRequest,
} from './wire-message';
import { WireStore } from './wire-store';
import { cloneValue } from './wire-values.util';

export interface MongoWireServerOptions {
  /** Loopback address to listen on; default 127.0.0.1. */
  host?: string;
  /** Port; default 0, a free port. */
  port?: number;
}

/** A command as the server received it, before it runs. */
export interface WireCommandEvent {
  connectionId: number;
  database: string;
  /** The command name, such as `insert` or `findAndModify`. */
  name: string;
  /** The command document, with document sequences merged in. */
  command: Document;
}

/**
 * Observes each command before it runs. Returning `'drop'` closes the
 * connection without running the command or replying, as a crashed server
 * or client would leave it. Returning a promise delays the command (and
 * later ones on its connection) until it settles, so a test can run other
 * operations in between. Other connections go on meanwhile.
 */
export type WireCommandListener = (
  event: WireCommandEvent,
) => 'drop' | undefined | Promise<'drop' | undefined>;

/**
 * A MongoDB server for tests, in this process: it speaks the wire protocol
 * (OP_MSG, and OP_QUERY for the legacy handshake) on a loopback port and
 * keeps databases in memory. mingo evaluates the queries, updates and
 * aggregations. It reports itself as a standalone MongoDB 7.0 without
 * transactions. Commands run one at a time, each atomically.
 */
export class MongoWireServer {
  private readonly store = new WireStore();
  private readonly cursors = new WireCursorRegistry();
  private readonly sockets = new Set<Socket>();
  private readonly counts = new Map<string, number>();
  private listener: WireCommandListener | undefined;
  private nextConnectionId = 1;
  private nextRequestId = 1;

  private constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
  ) {}

  /** Starts a server on a free loopback port (or the given one). */
  static async start(options: MongoWireServerOptions = {}): Promise<MongoWireServer> {
    const host = options.host ?? '127.0.0.1';
    const server = createServer();

    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });

    const address = server.address();

    if (address === null || typeof address === 'string') {
      server.close();
      throw new Error('The test MongoDB server got no TCP port.');
    }

    const wire = new MongoWireServer(server, host, address.port);

    server.on('connection', (socket) => wire.accept(socket));

    return wire;
  }

  /** Connection string of the server, for `new MongoClient(url)`. */
  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;

    return `mongodb://${host}:${this.port}/`;
  }

  /** Sets or clears the listener that receives every command before it runs. */
  onCommand(listener: WireCommandListener | undefined): void {
    this.listener = listener;
  }

  /** Returns how many commands named `name` the server received. */
  commandCount(name: string): number {
    return this.counts.get(name) ?? 0;
  }

  /** Copies of the documents of a collection, in natural order; empty when it does not exist. */
  documents(database: string, collection: string): Document[] {
    return (this.store.collection(database, collection)?.all() ?? []).map((document) =>
      cloneValue(document),
    );
  }

  /** Names of the collections of a database. */
  collectionNames(database: string): string[] {
    return this.store.collections(database).map((collection) => collection.name);
  }

  /** Closes every client connection; the data stays. */
  dropConnections(): void {
    for (const socket of this.sockets) {
      socket.destroy();
    }
  }

  /** Closes every connection and stops listening; the data is gone. */
  async close(): Promise<void> {
    this.dropConnections();
    this.cursors.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const connectionId = this.nextConnectionId++;
    const framer = new MessageFramer();
    // Messages of one connection run in order, so a delayed command delays the ones after it.
    let queue = Promise.resolve();

    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => this.sockets.delete(socket));
    // A client that resets the connection is normal (driver shutdown, dropped pool).
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const message of framer.push(chunk)) {
          const request = parseMessage(message);

          queue = queue
            .then(async () => {
              if (!socket.destroyed) {
                await this.handle(socket, connectionId, request);
              }
            })
            // A listener that throws ends the connection, like a dropped one.
            .catch(() => {
              socket.destroy();
            });
        }
      } catch {
        // A framing or parsing error leaves the stream unusable, as in mongod.
        socket.destroy();
      }
    });
  }

  private async handle(socket: Socket, connectionId: number, request: WireRequest): Promise<void> {
    const command = request.kind === 'msg' ? mergeSequences(request) : unwrapQuery(request.query);
    const database =
      request.kind === 'msg'
        ? String(command.$db ?? 'admin')
        : request.fullCollectionName.slice(0, request.fullCollectionName.indexOf('.'));
    const [name] = Object.keys(command);

    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);

    const decision =
      this.listener === undefined
        ? undefined
        : await this.listener({ connectionId, database, name, command });

    if (decision === 'drop' || socket.destroyed) {
      socket.destroy();

      return;
    }

    const reply = runCommand(command, {
      store: this.store,
      cursors: this.cursors,
      database,
      connectionId,
    });
    const ids = { requestId: this.nextRequestId++, responseTo: request.header.requestId };

    if (request.kind === 'query') {
      socket.write(encodeOpReply([reply], ids));
    } else if ((request.flagBits & MORE_TO_COME) === 0) {
      socket.write(encodeOpMsg(reply, ids, { checksum: request.checksum }));
    }
  }
}

/** Puts each kind 1 document sequence into the body under its identifier, as mongod reads them. */
function mergeSequences(request: Extract<WireRequest, { kind: 'msg' }>): Document {
  const command: Document = { ...request.body };

  for (const [identifier, documents] of request.sequences) {
    command[identifier] = documents;
  }

  return command;
}

/** OP_QUERY commands may wrap the command in `$query` (with `$readPreference` beside it). */
function unwrapQuery(query: Document): Document {
  return typeof query.$query === 'object' && query.$query !== null
    ? (query.$query as Document)
    : query;
}
