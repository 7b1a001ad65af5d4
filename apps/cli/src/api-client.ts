import { type Readable } from 'node:stream';

/** An error of a CLI command: the message is printed, and `exitCode` ends the process. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Exit codes: 1 for a failed request or job, 2 for wrong usage, 3 when not signed in. */
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_NOT_SIGNED_IN = 3;

interface ErrorBody {
  message?: unknown;
  details?: unknown;
}

/** Calls the platform's browser-facing API through the edge with a bearer token. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly accessToken: string | null,
  ) {}

  /** Sends a request and returns the parsed JSON body, or throws a `CliError` with the API's message. */
  async request<T>(method: string, path: string, options: { json?: unknown; body?: Readable; contentType?: string } = {}): Promise<T> {
    const headers: Record<string, string> = {};

    if (this.accessToken !== null) {
      headers.authorization = `Bearer ${this.accessToken}`;
    }

    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
    } else if (options.contentType !== undefined) {
      headers['content-type'] = options.contentType;
    }

    let response: Response;

    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: options.json !== undefined ? JSON.stringify(options.json) : (options.body as unknown as BodyInit | undefined),
        ...(options.body === undefined ? {} : { duplex: 'half' }),
      } as RequestInit);
    } catch (error) {
      const reason = describeCause(error);

      throw new CliError(`Cannot reach Rokks at ${this.baseUrl}: ${reason}. Is the platform running (npm start)?`, EXIT_FAILED);
    }

    const text = await response.text();

    if (!response.ok) {
      throw new CliError(describeFailure(method, path, response.status, text), response.status === 401 ? EXIT_NOT_SIGNED_IN : EXIT_FAILED);
    }

    return (text === '' ? null : JSON.parse(text)) as T;
  }
}

/** Returns the most specific message of a failed fetch: its cause (ECONNREFUSED …) when there is one. */
function describeCause(error: unknown): string {
  if (!(error instanceof Error)) {
    return String(error);
  }

  return error.cause instanceof Error ? error.cause.message : error.message;
}

function describeFailure(method: string, path: string, status: number, text: string): string {
  let message = text.slice(0, 500);

  try {
    const body = JSON.parse(text) as ErrorBody;

    if (typeof body.message === 'string') {
      message = body.message;
    }
  } catch {
    // Not JSON: the start of the text is the message.
  }

  if (status === 401) {
    return `Not signed in or the session ended (${message}): run \`rokks login\`.`;
  }

  return `${method} ${path.split('?')[0]} failed with ${status}: ${message}`;
}
