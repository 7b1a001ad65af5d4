import { createHash, type Hash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { CRC32C } from '@google-cloud/storage';

/** An object as the server stores it: metadata in memory, bytes in a file. */
interface StoredObject {
  bucket: string;
  name: string;
  generation: number;
  size: number;
  crc32c: string;
  md5Hash: string;
  contentType: string;
  metadata: Record<string, string>;
  timeCreated: string;
  file: string;
}

/** A resumable upload session: bytes received so far go to a file. */
interface UploadSession {
  bucket: string;
  name: string;
  contentType: string;
  metadata: Record<string, string>;
  file: string;
  received: number;
  crc32c: CRC32C;
  md5: Hash;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const RESUME_INCOMPLETE = 308;

/**
 * A Cloud Storage JSON API server on 127.0.0.1 for tests. It serves exactly
 * the calls that `@google-cloud/storage` 7 makes for the Firestore backend:
 * bucket get, object metadata get, media download (`alt=media`, with
 * `generation`), list (`prefix`, `startOffset`, `maxResults`,
 * `pageToken`), delete, resumable upload (session start, chunks with
 * `Content-Range`, status query) and `rewriteTo`. Object bytes are files
 * in a temporary directory, so large uploads do not fill the memory. It
 * checks no credentials, because the client sends none to a custom endpoint.
 */
export class LoopbackCloudStorage {
  /** Requests served, as "METHOD kind" (such as "PUT upload-chunk"), for tests that check the calls. */
  readonly requests: string[] = [];
  private readonly objects = new Map<string, StoredObject>();
  private readonly uploads = new Map<string, UploadSession>();
  private generation = Date.now() * 1000;

  private constructor(
    private readonly server: Server,
    private readonly directory: string,
    private readonly buckets: ReadonlySet<string>,
    readonly apiEndpoint: string,
  ) {}

  /** Starts the server on a free port of 127.0.0.1 with the given buckets. */
  static async start(buckets: string[]): Promise<LoopbackCloudStorage> {
    const directory = await mkdtemp(join(tmpdir(), 'rokks-cloud-storage-'));
    const server = createServer();

    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });

    const { port } = server.address() as AddressInfo;
    const storage = new LoopbackCloudStorage(
      server,
      directory,
      new Set(buckets),
      `http://127.0.0.1:${port}`,
    );

    server.on('request', (request, response) => {
      storage.handle(request, response).catch((error: unknown) => {
        storage.sendError(response, error);
      });
    });

    return storage;
  }

  /** Names of the stored objects of a bucket, in listing order. */
  objectNames(bucket: string): string[] {
    return this.sortedObjects(bucket).map((object) => object.name);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(this.directory, { recursive: true, force: true });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.apiEndpoint);
    const segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
    const method = request.method ?? 'GET';

    if (segments[0] === 'upload') {
      await this.handleUpload(method, segments, url, request, response);

      return;
    }

    if (segments[0] !== 'storage' || segments[1] !== 'v1' || segments[2] !== 'b') {
      throw new HttpError(404, `Unknown path ${url.pathname}`);
    }

    const bucket = this.requireBucket(segments[3]);

    if (segments.length === 4 && method === 'GET') {
      this.requests.push('GET bucket');
      sendJson(response, 200, { kind: 'storage#bucket', id: bucket, name: bucket });

      return;
    }

    if (segments.length === 5 && segments[4] === 'o' && method === 'GET') {
      this.requests.push('GET list');
      sendJson(response, 200, this.list(bucket, url.searchParams));

      return;
    }

    if (segments.length === 6 && segments[4] === 'o') {
      await this.handleObject(method, bucket, segments[5], url, response);

      return;
    }

    if (
      segments.length === 11 &&
      segments[4] === 'o' &&
      segments[6] === 'rewriteTo' &&
      method === 'POST'
    ) {
      this.requests.push('POST rewrite');
      await this.rewrite(
        bucket,
        segments[5],
        this.requireBucket(segments[8]),
        segments[10],
        request,
        response,
      );

      return;
    }

    throw new HttpError(404, `Unknown path ${url.pathname}`);
  }

  private async handleObject(
    method: string,
    bucket: string,
    name: string,
    url: URL,
    response: ServerResponse,
  ): Promise<void> {
    const object = this.requireObject(bucket, name);

    if (method === 'GET' && url.searchParams.get('alt') === 'media') {
      this.requests.push('GET media');

      const generation = url.searchParams.get('generation');

      if (generation !== null && Number(generation) !== object.generation) {
        throw new HttpError(404, `No such object generation: ${bucket}/${name}#${generation}`);
      }

      response.writeHead(200, {
        'content-type': object.contentType,
        'content-length': object.size,
        'x-goog-hash': `crc32c=${object.crc32c},md5=${object.md5Hash}`,
        'x-goog-generation': String(object.generation),
      });
      await pipeline(createReadStream(object.file), response);

      return;
    }

    if (method === 'GET') {
      this.requests.push('GET metadata');
      sendJson(response, 200, objectResource(object));

      return;
    }

    if (method === 'DELETE') {
      this.requests.push('DELETE object');
      this.objects.delete(objectKey(bucket, name));
      await rm(object.file, { force: true });
      response.writeHead(204).end();

      return;
    }

    throw new HttpError(405, `Method ${method} is not served for objects`);
  }

  private list(bucket: string, query: URLSearchParams): Record<string, unknown> {
    if (query.has('delimiter')) {
      throw new HttpError(400, 'This server does not serve delimiter listings');
    }

    const prefix = query.get('prefix') ?? '';
    const startOffset = query.get('startOffset');
    const pageToken = query.get('pageToken');
    const after = pageToken === null ? null : Buffer.from(pageToken, 'base64url').toString('utf8');
    const maxResults = Math.min(Number(query.get('maxResults') ?? 1000), 1000);
    const matching = this.sortedObjects(bucket).filter(
      (object) =>
        object.name.startsWith(prefix) &&
        (startOffset === null || compareUtf8(object.name, startOffset) >= 0) &&
        (after === null || compareUtf8(object.name, after) > 0),
    );
    const page = matching.slice(0, maxResults);
    const last = page.at(-1);

    return {
      kind: 'storage#objects',
      items: page.map(objectResource),
      ...(matching.length > maxResults && last !== undefined
        ? { nextPageToken: Buffer.from(last.name, 'utf8').toString('base64url') }
        : {}),
    };
  }

  private async rewrite(
    sourceBucket: string,
    sourceName: string,
    targetBucket: string,
    targetName: string,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const source = this.requireObject(sourceBucket, sourceName);
    const body = (await readJson(request)) as {
      contentType?: string;
      metadata?: Record<string, string>;
    };
    const file = join(this.directory, `${randomUUID()}.bin`);

    await copyFile(source.file, file);

    const target = this.store({
      ...source,
      bucket: targetBucket,
      name: targetName,
      contentType: body.contentType ?? source.contentType,
      metadata: body.metadata ?? source.metadata,
      file,
    });

    sendJson(response, 200, {
      kind: 'storage#rewriteResponse',
      totalBytesRewritten: String(target.size),
      objectSize: String(target.size),
      done: true,
      resource: objectResource(target),
    });
  }

  private async handleUpload(
    method: string,
    segments: string[],
    url: URL,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const bucket = this.requireBucket(segments[4]);

    if (url.searchParams.get('uploadType') !== 'resumable') {
      throw new HttpError(400, 'This server serves resumable uploads only');
    }

    const uploadId = url.searchParams.get('upload_id');

    if (method === 'POST' && uploadId === null) {
      this.requests.push('POST upload-start');
      await this.startUpload(bucket, url, request, response);

      return;
    }

    const session = uploadId === null ? undefined : this.uploads.get(uploadId);

    if (method !== 'PUT' || session === undefined || uploadId === null) {
      throw new HttpError(404, `No such upload session: ${String(uploadId)}`);
    }

    this.requests.push('PUT upload-chunk');
    await this.receiveChunk(uploadId, session, request, response);
  }

  private async startUpload(
    bucket: string,
    url: URL,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const name = url.searchParams.get('name');

    if (name === null || name.length === 0) {
      throw new HttpError(400, 'Missing object name');
    }

    const body = (await readJson(request)) as { metadata?: Record<string, string> };
    const uploadId = randomUUID();
    const contentType = request.headers['x-upload-content-type'];

    this.uploads.set(uploadId, {
      bucket,
      name,
      contentType: typeof contentType === 'string' ? contentType : 'application/octet-stream',
      metadata: body.metadata ?? {},
      file: join(this.directory, `${uploadId}.part`),
      received: 0,
      crc32c: new CRC32C(),
      md5: createHash('md5'),
    });

    const location = new URL(
      `/upload/storage/v1/b/${encodeURIComponent(bucket)}/o`,
      this.apiEndpoint,
    );

    location.searchParams.set('uploadType', 'resumable');
    location.searchParams.set('name', name);
    location.searchParams.set('upload_id', uploadId);
    response.writeHead(200, { location: location.toString() }).end();
  }

  /** Appends one chunk; finalizes the object when the range names the total size and all bytes arrived. */
  private async receiveChunk(
    uploadId: string,
    session: UploadSession,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const range = parseContentRange(request.headers['content-range']);

    if (range.start !== null) {
      if (range.start !== session.received) {
        throw new HttpError(
          400,
          `Chunk starts at byte ${range.start}, but ${session.received} bytes were received`,
        );
      }

      await this.appendChunk(session, request);
    } else {
      request.resume();
    }

    // A streaming request carries every remaining byte, so its end completes the upload.
    const total = range.streaming ? session.received : range.total;

    if (total === null || session.received < total) {
      const headers: Record<string, string> =
        session.received > 0 ? { range: `bytes=0-${session.received - 1}` } : {};

      response.writeHead(RESUME_INCOMPLETE, headers).end();

      return;
    }

    if (session.received !== total) {
      throw new HttpError(400, `Upload has ${session.received} bytes, not the ${total} declared`);
    }

    this.uploads.delete(uploadId);

    const object = this.store({
      bucket: session.bucket,
      name: session.name,
      size: session.received,
      crc32c: session.crc32c.toString(),
      md5Hash: session.md5.digest('base64'),
      contentType: session.contentType,
      metadata: session.metadata,
      file: session.file,
    });

    sendJson(response, 200, objectResource(object));
  }

  private async appendChunk(session: UploadSession, request: IncomingMessage): Promise<void> {
    const hashes = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        session.crc32c.update(chunk);
        session.md5.update(chunk);
        callback(null, chunk);
      },
    });

    await pipeline(request, hashes, createWriteStream(session.file, { flags: 'a' }));
    session.received = (await stat(session.file)).size;
  }

  /** Stores an object as a new generation, replacing any earlier one and keeping its creation time. */
  private store(
    fields: Omit<StoredObject, 'generation' | 'timeCreated' | 'size' | 'crc32c' | 'md5Hash'> &
      Partial<Pick<StoredObject, 'size' | 'crc32c' | 'md5Hash'>>,
  ): StoredObject {
    const key = objectKey(fields.bucket, fields.name);
    const previous = this.objects.get(key);
    const object: StoredObject = {
      size: 0,
      crc32c: new CRC32C().toString(),
      md5Hash: createHash('md5').digest('base64'),
      ...fields,
      generation: ++this.generation,
      timeCreated: new Date().toISOString(),
    };

    this.objects.set(key, object);

    if (previous !== undefined && previous.file !== object.file) {
      void rm(previous.file, { force: true });
    }

    return object;
  }

  private sortedObjects(bucket: string): StoredObject[] {
    return [...this.objects.values()]
      .filter((object) => object.bucket === bucket)
      .sort((left, right) => compareUtf8(left.name, right.name));
  }

  private requireBucket(bucket: string | undefined): string {
    if (bucket === undefined || !this.buckets.has(bucket)) {
      throw new HttpError(404, `No such bucket: ${String(bucket)}`);
    }

    return bucket;
  }

  private requireObject(bucket: string, name: string): StoredObject {
    const object = this.objects.get(objectKey(bucket, name));

    if (object === undefined) {
      throw new HttpError(404, `No such object: ${bucket}/${name}`);
    }

    return object;
  }

  private sendError(response: ServerResponse, error: unknown): void {
    const status = error instanceof HttpError ? error.status : 500;
    const message = error instanceof Error ? error.message : String(error);

    this.requests.push(`ERROR ${status}`);

    if (response.headersSent) {
      response.destroy();

      return;
    }

    sendJson(response, status, {
      error: {
        code: status,
        message,
        errors: [{ message, reason: status === 404 ? 'notFound' : 'invalid' }],
      },
    });
  }
}

function objectKey(bucket: string, name: string): string {
  return `${bucket}\u0000${name}`;
}

function compareUtf8(left: string, right: string): number {
  return Buffer.compare(Buffer.from(left, 'utf8'), Buffer.from(right, 'utf8'));
}

function objectResource(object: StoredObject): Record<string, unknown> {
  return {
    kind: 'storage#object',
    id: `${object.bucket}/${object.name}/${object.generation}`,
    name: object.name,
    bucket: object.bucket,
    generation: String(object.generation),
    metageneration: '1',
    contentType: object.contentType,
    size: String(object.size),
    crc32c: object.crc32c,
    md5Hash: object.md5Hash,
    timeCreated: object.timeCreated,
    updated: object.timeCreated,
    metadata: object.metadata,
  };
}

/**
 * Parses `Content-Range` of a resumable upload request: `bytes a-b/total`
 * and `bytes a-b/*` (a chunk), `bytes a-*\/*` (all remaining bytes in one
 * request of unknown length, which ends the upload), and `bytes *\/total`
 * or `bytes *\/*` (no bytes: a status query or an empty final request).
 * `total` is null while the size is unknown.
 */
function parseContentRange(header: string | undefined): {
  start: number | null;
  total: number | null;
  streaming: boolean;
} {
  const match = /^bytes (?:(\d+)-(-?\d+|\*)|\*)\/(\d+|\*)$/u.exec(header ?? '');
  const streaming = match?.[2] === '*';

  if (match === null || (streaming && match[3] !== '*')) {
    throw new HttpError(400, `Invalid Content-Range ${JSON.stringify(header)}`);
  }

  return {
    start: match[1] === undefined ? null : Number(match[1]),
    total: match[3] === '*' ? null : Number(match[3]),
    streaming,
  };
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];

  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }

  const text = Buffer.concat(chunks).toString('utf8');

  return text.length === 0 ? {} : JSON.parse(text);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);

  response
    .writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    })
    .end(text);
}
