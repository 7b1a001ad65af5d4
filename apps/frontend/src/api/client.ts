import { ApiError, toApiError } from './api-error';
import { readEventStream, type ServerSentEvent } from './event-stream';
import { session } from './session';

export interface RequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * Sends an authenticated request and returns the response. A 401 refreshes
 * the access token once and retries, so an expired token costs no work.
 */
async function send(path: string, init: RequestInit): Promise<Response> {
  for (let attempt = 0; ; attempt += 1) {
    const token = await session.token();
    let response: Response;

    try {
      response = await fetch(path, {
        ...init,
        credentials: 'same-origin',
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
      });
    } catch (error) {
      if (init.signal?.aborted === true) {
        throw error;
      }

      throw new ApiError(0, 'Cannot reach the Rokks server.');
    }

    if (response.status === 401 && attempt === 0 && (await session.refresh()) !== null) {
      await response.body?.cancel();
      continue;
    }

    if (!response.ok) {
      const body: unknown = await response.json().catch(() => null);

      throw toApiError(response.status, response.statusText, body);
    }

    return response;
  }
}

/** Calls a JSON endpoint; returns the parsed body, or undefined for 204. */
export async function apiJson<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };

  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
  }

  const response = await send(path, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  });

  if (response.status === 204) {
    return undefined as T;
  }

  return (await response.json()) as T;
}

/** Downloads a binary body, such as a blob of the doc gateway. */
export async function apiBlob(path: string, signal?: AbortSignal): Promise<Blob> {
  const response = await send(path, { headers: { accept: '*/*' }, signal });

  return response.blob();
}

/**
 * Reads a server-sent event stream. EventSource cannot send the
 * Authorization header, so the stream is read from fetch's body.
 */
export async function* apiEvents(
  path: string,
  signal: AbortSignal,
): AsyncGenerator<ServerSentEvent> {
  const response = await send(path, { headers: { accept: 'text/event-stream' }, signal });

  if (response.body === null) {
    return;
  }

  yield* readEventStream(response.body);
}

export interface UploadedFile {
  fileId: string;
  name: string;
  bytes: number;
  sha256: string;
}

/**
 * Uploads a file as the raw request body with XMLHttpRequest, whose upload
 * events report progress (fetch has none). Calls `onProgress` with the
 * fraction sent, from 0 to 1.
 */
export async function uploadFile(
  file: File,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<UploadedFile> {
  const token = await session.token();

  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();

    request.open('POST', `/api/transform/files?name=${encodeURIComponent(file.name)}`);
    request.setRequestHeader('authorization', `Bearer ${token}`);
    request.responseType = 'json';
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable && event.total > 0) {
        onProgress(event.loaded / event.total);
      }
    });
    request.addEventListener('load', () => {
      if (request.status === 201) {
        onProgress(1);
        resolve(request.response as UploadedFile);
      } else {
        reject(toApiError(request.status, request.statusText, request.response));
      }
    });
    request.addEventListener('error', () =>
      reject(new ApiError(0, `Uploading ${file.name} failed: the connection broke.`)),
    );
    request.addEventListener('abort', () =>
      reject(new DOMException('The upload was cancelled.', 'AbortError')),
    );
    signal?.addEventListener('abort', () => request.abort());
    request.send(file);
  });
}
