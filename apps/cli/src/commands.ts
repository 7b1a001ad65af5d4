import { createReadStream, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

import { ApiClient, CliError, EXIT_FAILED, EXIT_NOT_SIGNED_IN, EXIT_USAGE } from './api-client';
import { formatCsv, formatTable, type ResultColumn } from './output-format';
import { type SessionStore, type StoredSession } from './session-store';

export const DEFAULT_URL = 'http://127.0.0.1:3000';
const LOAD_MODES = ['create', 'replace', 'append', 'upsert'] as const;
const JOB_POLL_MS = 500;
/** Renew the access token when less than this is left of it. */
const RENEW_BEFORE_MS = 60_000;

/** Context of every command: the stored session, the settings and where to print. */
export interface CommandContext {
  store: SessionStore;
  /** `--url`, else `ROKKS_URL`; null when neither is set. */
  url: string | null;
  out: (text: string) => void;
  /** Progress and notes, on standard error so that output stays clean for pipes. */
  note: (text: string) => void;
  /** Whether standard error is a terminal, where a progress bar redraws in place. */
  interactive: boolean;
  readStdin: () => Promise<string>;
}

interface LoginResponse {
  accessToken: string;
  expiresIn: number;
  user: { email: string; roles: string[] };
}

interface QueryResponse {
  columns: ResultColumn[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
}

interface JobView {
  id: string;
  type: string;
  status: string;
  progress?: { rowsRead?: number; rowsLoaded?: number; rowsRejected?: number } | null;
  result?: { table?: string; rowsLoaded?: number; rowsRejected?: number; rejectsFileId?: string } | null;
  error?: { message?: string } | string | null;
  createdAt?: string;
  finishedAt?: string | null;
}

/** Signs in with e-mail and password and stores the session. */
export async function login(context: CommandContext, options: { email?: string; passwordStdin: boolean }): Promise<void> {
  const stored = context.store.read();
  const url = context.url ?? stored?.url ?? DEFAULT_URL;
  const email = options.email ?? stored?.email;

  if (email === undefined) {
    throw new CliError('Missing --email: rokks login --email you@example.com --password-stdin', EXIT_USAGE);
  }

  if (!options.passwordStdin) {
    throw new CliError('Pass the password on standard input with --password-stdin, so it stays out of the shell history.', EXIT_USAGE);
  }

  const password = (await context.readStdin()).replace(/\r?\n$/u, '');
  const response = await fetchLogin(url, email, password);

  context.store.write(response);
  context.note(`Signed in to ${url} as ${email}.\n`);
}

async function fetchLogin(url: string, email: string, password: string): Promise<StoredSession> {
  let response: Response;

  try {
    response = await fetch(`${url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
  } catch (error) {
    throw new CliError(`Cannot reach Rokks at ${url}: ${error instanceof Error ? error.message : String(error)}. Is the platform running?`, EXIT_FAILED);
  }

  if (response.status === 401) {
    throw new CliError(`Sign-in failed: wrong e-mail or password for ${email}.`, EXIT_NOT_SIGNED_IN);
  }

  if (!response.ok) {
    throw new CliError(`Sign-in failed with ${response.status}: ${(await response.text()).slice(0, 300)}`, EXIT_FAILED);
  }

  const body = (await response.json()) as LoginResponse;

  return {
    url,
    email,
    accessToken: body.accessToken,
    expiresAt: Date.now() + body.expiresIn * 1000,
    refreshCookie: refreshCookieOf(response) ?? '',
  };
}

function refreshCookieOf(response: Response): string | null {
  const cookie = response.headers.getSetCookie().find((value) => value.startsWith('rokks_refresh='));

  return cookie === undefined ? null : cookie.split(';')[0];
}

/** Returns a client with a valid access token, renewing it with the refresh cookie when it is about to expire. */
export async function signedInClient(context: CommandContext): Promise<ApiClient> {
  const session = context.store.read();

  if (session === null) {
    throw new CliError('Not signed in: run `rokks login --email you@example.com --password-stdin` first.', EXIT_NOT_SIGNED_IN);
  }

  const url = context.url ?? session.url;

  if (url !== session.url) {
    throw new CliError(`The stored session is for ${session.url}, not ${url}: run \`rokks login --url ${url}\`.`, EXIT_NOT_SIGNED_IN);
  }

  if (session.expiresAt - Date.now() > RENEW_BEFORE_MS) {
    return new ApiClient(url, session.accessToken);
  }

  const response = await fetch(`${url}/auth/refresh`, { method: 'POST', headers: { cookie: session.refreshCookie } }).catch((error: unknown) => {
    throw new CliError(`Cannot reach Rokks at ${url}: ${error instanceof Error ? error.message : String(error)}.`, EXIT_FAILED);
  });

  if (!response.ok) {
    context.store.clear();
    throw new CliError('The session ended: run `rokks login` again.', EXIT_NOT_SIGNED_IN);
  }

  const body = (await response.json()) as { accessToken: string; expiresIn: number };
  const renewed = {
    ...session,
    accessToken: body.accessToken,
    expiresAt: Date.now() + body.expiresIn * 1000,
    refreshCookie: refreshCookieOf(response) ?? session.refreshCookie,
  };

  context.store.write(renewed);

  return new ApiClient(url, renewed.accessToken);
}

/** Ends the session on the server and deletes the stored one. */
export async function logout(context: CommandContext): Promise<void> {
  const session = context.store.read();

  if (session !== null) {
    await fetch(`${session.url}/auth/logout`, { method: 'POST', headers: { cookie: session.refreshCookie } }).catch(() => undefined);
  }

  context.store.clear();
  context.note('Signed out.\n');
}

/** Runs one read-only SQL statement and prints the result as a table, CSV or JSON. */
export async function query(context: CommandContext, sql: string, options: { format: string; limit?: number }): Promise<void> {
  if (!['table', 'csv', 'json'].includes(options.format)) {
    throw new CliError(`Invalid --format ${options.format}: use table, csv or json.`, EXIT_USAGE);
  }

  const client = await signedInClient(context);
  const result = await client.request<QueryResponse>('POST', '/api/sql/query', {
    json: { sql, ...(options.limit === undefined ? {} : { limit: options.limit }) },
  });

  if (options.format === 'json') {
    context.out(`${JSON.stringify(result, null, 2)}\n`);
  } else if (options.format === 'csv') {
    context.out(formatCsv(result.columns, result.rows));
  } else {
    context.out(formatTable(result.columns, result.rows));
    context.note(`(${result.rowCount} ${result.rowCount === 1 ? 'row' : 'rows'}${result.truncated ? ', truncated by a limit' : ''})\n`);
  }

  if (result.truncated && options.format !== 'table') {
    context.note('The result was truncated by a row or size limit.\n');
  }
}

/** Lists the workspace's tables with their row counts. */
export async function tables(context: CommandContext): Promise<void> {
  const client = await signedInClient(context);
  const list = await client.request<{ id: string; name: string; rowCount: number; columns: unknown[]; updatedAt: string }[]>('GET', '/api/sql/tables');
  const columns: ResultColumn[] = [
    { name: 'name', type: 'text' },
    { name: 'rows', type: 'integer' },
    { name: 'columns', type: 'integer' },
    { name: 'updated', type: 'text' },
    { name: 'id', type: 'text' },
  ];

  context.out(formatTable(columns, list.map((table) => [table.name, table.rowCount, table.columns.length, table.updatedAt, table.id])));
}

/** Lists recent jobs. */
export async function jobs(context: CommandContext, options: { status?: string; limit: number }): Promise<void> {
  const client = await signedInClient(context);
  const search = new URLSearchParams({ limit: String(options.limit), ...(options.status === undefined ? {} : { status: options.status }) });
  const page = await client.request<{ jobs: JobView[] } | JobView[]>('GET', `/api/jobs?${search.toString()}`);
  const list = Array.isArray(page) ? page : page.jobs;
  const columns: ResultColumn[] = ['id', 'type', 'status', 'rows loaded', 'rejected', 'created'].map((name) => ({ name, type: 'text' }));

  context.out(
    formatTable(
      columns,
      list.map((job) => [job.id, job.type, job.status, job.progress?.rowsLoaded ?? '', job.progress?.rowsRejected ?? '', job.createdAt ?? '']),
    ),
  );
}

export interface ImportOptions {
  table: string;
  specFile?: string;
  mode: string;
  key?: string;
}

/** Uploads a file, runs its load and follows the job to the end, with progress on standard error. */
export async function importFile(context: CommandContext, file: string, options: ImportOptions): Promise<void> {
  if (!(LOAD_MODES as readonly string[]).includes(options.mode)) {
    throw new CliError(`Invalid --mode ${options.mode}: use ${LOAD_MODES.join(', ')}.`, EXIT_USAGE);
  }

  if (options.mode === 'upsert' && options.key === undefined) {
    throw new CliError('--mode upsert needs --key with the key column(s), comma-separated.', EXIT_USAGE);
  }

  const size = fileSize(file);
  const spec = options.specFile === undefined ? { steps: [] } : readSpec(options.specFile);
  const client = await signedInClient(context);

  if (options.mode === 'create') {
    // Without this check the server rejects the run with 409, but only after the whole upload.
    const existing = await client.request<{ name: string }[]>('GET', '/api/sql/tables');

    if (existing.some((table) => table.name === options.table)) {
      throw new CliError(
        `Table ${options.table} exists already: choose another --table, or --mode replace, append or upsert to load into it.`,
        EXIT_FAILED,
      );
    }
  }

  const progress = new ProgressLine(context);
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      sent += chunk.byteLength;
      progress.show(`Uploading ${path.basename(file)}`, sent, size, 'B');
      done(null, chunk);
    },
  });
  const upload = await client.request<{ fileId: string; bytes: number; sha256: string }>(
    'POST',
    `/api/transform/files?name=${encodeURIComponent(path.basename(file))}`,
    { body: createReadStream(file).pipe(counter), contentType: 'application/octet-stream' },
  );

  progress.done(`Uploaded ${path.basename(file)}: ${upload.bytes} bytes, sha256 ${upload.sha256.slice(0, 12)}…`);

  const key = options.key?.split(',').map((column) => column.trim()).filter((column) => column !== '');
  const run = await client.request<{ jobId: string }>('POST', '/api/transform/runs', {
    json: { fileId: upload.fileId, spec, target: { table: options.table, mode: options.mode, ...(key === undefined ? {} : { key }) } },
  });
  const job = await followJob(context, client, run.jobId, progress);

  if (job.status !== 'succeeded') {
    const reason = typeof job.error === 'string' ? job.error : (job.error?.message ?? 'no reason given');

    throw new CliError(`Import job ${job.id} ${job.status}: ${reason}`, EXIT_FAILED);
  }

  const rejected = job.result?.rowsRejected ?? 0;

  context.out(
    `Loaded ${job.result?.rowsLoaded ?? 0} rows into ${job.result?.table ?? options.table}${rejected > 0 ? `; ${rejected} rows rejected (rejects file ${job.result?.rejectsFileId ?? 'not stored'})` : ''}.\n`,
  );
}

async function followJob(context: CommandContext, client: ApiClient, jobId: string, progress: ProgressLine): Promise<JobView> {
  for (;;) {
    const job = await client.request<JobView>('GET', `/api/jobs/${encodeURIComponent(jobId)}`);

    if (job.status === 'succeeded' || job.status === 'failed' || job.status === 'cancelled') {
      progress.done(`Job ${jobId} ${job.status}.`);

      return job;
    }

    const rows = job.progress?.rowsRead ?? 0;

    progress.show(`Loading (job ${job.status})`, rows, null, ' rows');
    await sleep(JOB_POLL_MS);
  }
}

function fileSize(file: string): number {
  try {
    const stats = statSync(file);

    if (!stats.isFile()) {
      throw new CliError(`${file} is not a file.`, EXIT_USAGE);
    }

    return stats.size;
  } catch (error) {
    if (error instanceof CliError) {
      throw error;
    }

    throw new CliError(`Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`, EXIT_USAGE);
  }
}

function readSpec(file: string): unknown {
  let text: string;

  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`Cannot read the spec ${file}: ${error instanceof Error ? error.message : String(error)}`, EXIT_USAGE);
  }

  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError(`The spec ${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, EXIT_USAGE);
  }
}

/** One line of progress: redrawn in place on a terminal, printed about every 5 seconds otherwise. */
class ProgressLine {
  private lastPrinted = 0;

  constructor(private readonly context: CommandContext) {}

  show(label: string, current: number, total: number | null, unit: string): void {
    const now = Date.now();

    if (!this.context.interactive && now - this.lastPrinted < 5000) {
      return;
    }

    this.lastPrinted = now;

    const amount = `${current.toLocaleString('en-US')}${unit}`;
    const text =
      total === null || total === 0
        ? `${label}: ${amount}`
        : `${label}: ${progressBar(current / total)} ${Math.floor((current / total) * 100)}% (${amount})`;

    this.context.note(this.context.interactive ? `\r\u001b[2K${text}` : `${text}\n`);
  }

  done(text: string): void {
    this.context.note(this.context.interactive ? `\r\u001b[2K${text}\n` : `${text}\n`);
    this.lastPrinted = 0;
  }
}

function progressBar(fraction: number): string {
  const width = 24;
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));

  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}
