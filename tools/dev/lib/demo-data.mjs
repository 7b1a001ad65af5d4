// Loads the demo dataset through the platform's own browser-facing API, the
// way a user would: sign in, upload the file, run the load, wait for the job.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const DEMO_TABLE = 'seattle_weather';
export const DEMO_ADMIN_EMAIL = 'admin@rokks.local';

const DEMO_FILE_NAME = 'seattle-weather.csv';
const DEMO_SPEC = {
  steps: [{ op: 'cast', column: 'date', type: 'date', format: 'yyyy-MM-dd' }],
  onError: 'reject-row',
};
const JOB_POLL_MS = 250;
export const DEMO_DASHBOARD_ID = 'seattle-weather';

/** Error of the demo load, with the step that failed in its message. */
export class DemoDataError extends Error {}

/**
 * Returns the development administrator's sign-in, generated once and kept in
 * `<dataDir>/dev-admin.json` (readable by its owner only), so the launcher
 * can pass it to the auth service and sign in to load the demo data.
 */
export async function devAdminCredentials(dataDir) {
  const file = path.join(dataDir, 'dev-admin.json');

  if (existsSync(file)) {
    const stored = JSON.parse(await readFile(file, 'utf8'));

    if (typeof stored.email === 'string' && typeof stored.password === 'string') {
      return { ...stored, file };
    }

    throw new DemoDataError(`${file} is invalid: expected {"email", "password"}; delete it to generate a new one.`);
  }

  const credentials = { email: DEMO_ADMIN_EMAIL, password: randomBytes(18).toString('base64url') };

  await writeFile(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);

  return { ...credentials, file };
}

/**
 * Loads `csvFile` into the demo table unless the table exists or the marker
 * file says it was loaded before (a user may have dropped it on purpose).
 * Returns what happened: `{ loaded: false, reason }` or `{ loaded: true, rows }`.
 */
export async function loadDemoData({ baseUrl, credentials, csvFile, dataDir, timeoutMs = 120_000, log }) {
  const marker = path.join(dataDir, 'demo-loaded');

  if (existsSync(marker)) {
    return { loaded: false, reason: 'loaded on an earlier start' };
  }

  const call = apiCaller(baseUrl);
  const login = await call('sign in', 'POST', '/auth/login', {
    json: { email: credentials.email, password: credentials.password },
  });
  const token = login.accessToken;
  const tables = await call('list tables', 'GET', '/api/sql/tables', { token });

  if (tables.some((table) => table.name === DEMO_TABLE)) {
    await ensureDemoDashboard(call, token);
    await writeFile(marker, `${new Date().toISOString()}\n`);

    return { loaded: false, reason: `table ${DEMO_TABLE} exists` };
  }

  const file = await call('upload', 'POST', `/api/transform/files?name=${encodeURIComponent(DEMO_FILE_NAME)}`, {
    token,
    body: await readFile(csvFile),
    contentType: 'text/csv',
  });
  const run = await call('start the load', 'POST', '/api/transform/runs', {
    token,
    json: { fileId: file.fileId, spec: DEMO_SPEC, target: { table: DEMO_TABLE, mode: 'create' } },
  });

  log({ jobId: run.jobId, fileId: file.fileId, table: DEMO_TABLE }, 'demo load started');

  const deadline = Date.now() + timeoutMs;

  for (;;) {
    const job = await call('read the job', 'GET', `/api/jobs/${encodeURIComponent(run.jobId)}`, { token });

    if (job.status === 'succeeded') {
      await ensureDemoDashboard(call, token);
      await writeFile(marker, `${new Date().toISOString()}\n`);

      return { loaded: true, rows: job.result?.rowsLoaded ?? null, rejected: job.result?.rowsRejected ?? 0 };
    }

    if (job.status === 'failed' || job.status === 'cancelled') {
      throw new DemoDataError(`Demo load job ${run.jobId} ${job.status}: ${job.error?.message ?? JSON.stringify(job.error)}`);
    }

    if (Date.now() > deadline) {
      throw new DemoDataError(`Demo load job ${run.jobId} timed out after ${timeoutMs} ms in status ${job.status}.`);
    }

    await sleep(JOB_POLL_MS);
  }
}

/**
 * Creates the demo dashboard unless it exists: one line chart of the average
 * maximum temperature per month, in the SPA's dashboard format (table and
 * columns by id, so renames keep it working).
 */
async function ensureDemoDashboard(call, token) {
  const found = await call('look for the demo dashboard', 'POST', '/api/doc/dashboards/query', {
    token,
    json: { limit: 100 },
  });

  if (found.documents.some((document) => document.id === DEMO_DASHBOARD_ID)) {
    return;
  }

  const tables = await call('list tables', 'GET', '/api/sql/tables', { token });
  const table = tables.find((candidate) => candidate.name === DEMO_TABLE);
  const column = (name) => table?.columns.find((candidate) => candidate.name === name)?.id;

  if (table === undefined || column('date') === undefined || column('temp_max') === undefined) {
    throw new DemoDataError(`Demo dashboard: table ${DEMO_TABLE} with columns date and temp_max not found.`);
  }

  await call('create the demo dashboard', 'PUT', `/api/doc/dashboards/${DEMO_DASHBOARD_ID}`, {
    token,
    json: {
      title: 'Seattle weather',
      timezone: 'UTC',
      widgets: [
        {
          id: 'monthly-max-temperature',
          type: 'line',
          title: 'Average maximum temperature per month (°C)',
          tableId: table.id,
          measure: { columnId: column('temp_max'), agg: 'avg' },
          timeBucket: { columnId: column('date'), interval: '1 month' },
        },
      ],
    },
  });
}

/** Returns a function that calls the API and returns the parsed JSON body, or throws with the step's name. */
function apiCaller(baseUrl) {
  return async (step, method, pathAndQuery, { token, json, body, contentType } = {}) => {
    const headers = {};

    if (token !== undefined) {
      headers.authorization = `Bearer ${token}`;
    }

    if (json !== undefined) {
      headers['content-type'] = 'application/json';
    } else if (contentType !== undefined) {
      headers['content-type'] = contentType;
    }

    let response;

    try {
      response = await fetch(`${baseUrl}${pathAndQuery}`, {
        method,
        headers,
        body: json === undefined ? body : JSON.stringify(json),
      });
    } catch (error) {
      throw new DemoDataError(`Demo data: ${step} failed: ${method} ${pathAndQuery}: ${error.message}`);
    }

    const text = await response.text();

    if (!response.ok) {
      throw new DemoDataError(`Demo data: ${step} failed: ${method} ${pathAndQuery} returned ${response.status}: ${text.slice(0, 500)}`);
    }

    return text === '' ? null : JSON.parse(text);
  };
}
