import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

import { devPorts } from '@rokks/service-kit';
import { buildProjects, LogCapture, workspaceRoot } from '@rokks/testing';

const root = workspaceRoot();
const CSV_FILE = path.resolve(root, '../shared/data/real/seattle-weather.csv');
const SCREENSHOT_DIR = path.join(root, 'tmp/e2e-screenshots');
const TABLE = 'seattle_weather';
const admin = { email: 'e2e-admin@rokks.local', password: randomBytes(18).toString('base64url') };

/** The platform started by the development launcher from a fresh build, with the SPA served by the edge. */
export class PlatformProcess {
  private constructor(
    private readonly launcher: ChildProcess,
    private readonly logs: LogCapture,
    private readonly dataDir: string,
    private readonly distDir: string,
    /** The edge's browser-facing origin. */
    readonly baseUrl: string,
  ) {}

  /**
   * Builds every project (the SPA too), starts the launcher on a random port
   * offset without the demo data and resolves once every service is healthy.
   */
  static async start(admin: { email: string; password: string }): Promise<PlatformProcess> {
    const distDir = await buildProjects([]);
    const dataDir = mkdtempSync(path.join(tmpdir(), 'rokks-e2e-'));
    // Every shifted port stays below 32768, where Linux hands out ephemeral ports.
    const portOffset = 10_000 + Math.floor(Math.random() * 170) * 100;
    const logs = new LogCapture();
    const launcher = spawn(process.execPath, [path.join(root, 'tools/dev/launch.mjs')], {
      cwd: root,
      env: {
        ...process.env,
        ROKKS_DATA_DIR: dataDir,
        ROKKS_DEV_DIST_DIR: distDir,
        ROKKS_DEV_SKIP_BUILD: '1',
        ROKKS_DEV_PORT_OFFSET: String(portOffset),
        ROKKS_DEV_LOG_FORMAT: 'json',
        ROKKS_EDGE_SPA_DIR: path.join(distDir, 'apps/frontend'),
        ROKKS_ADMIN_EMAIL: admin.email,
        ROKKS_ADMIN_PASSWORD: admin.password,
        // The test loads seattle_weather itself, through the pages.
        ROKKS_DEV_DEMO_DATA: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });

    logs.attach(launcher.stdout as NonNullable<typeof launcher.stdout>, 'launch');
    logs.attach(launcher.stderr as NonNullable<typeof launcher.stderr>, 'launch-stderr');

    const edgePort = devPorts('edge', portOffset).publicPort as number;
    const platform = new PlatformProcess(
      launcher,
      logs,
      dataDir,
      distDir,
      `http://127.0.0.1:${edgePort}`,
    );
    const exited = new Promise<never>((_resolve, reject) => {
      launcher.once('exit', (code) =>
        reject(
          new Error(`The launcher exited with code ${code} during start-up:\n${logs.tail(30)}`),
        ),
      );
    });

    try {
      const started = await Promise.race([
        logs.waitForRecord(
          (record) => record.source === 'launch' && record.msg === 'all services healthy',
          150_000,
        ),
        exited,
      ]);

      if (started.msg !== 'all services healthy') {
        throw new Error(`The platform did not start: ${String(started.msg)}:\n${logs.tail(30)}`);
      }
    } catch (error) {
      await platform.stop();
      throw error;
    }

    exited.catch(() => undefined);

    return platform;
  }

  /** Returns the last log lines, for failure messages. */
  tail(count: number): string {
    return this.logs.tail(count);
  }

  /** Stops the launcher with SIGTERM (it stops every service), then kills any process left, and deletes the folders. */
  async stop(): Promise<void> {
    const launcher = this.launcher;

    if (launcher.exitCode === null && launcher.signalCode === null) {
      const exited = new Promise<void>((resolve) => launcher.once('exit', () => resolve()));

      launcher.kill('SIGTERM');

      const timer = setTimeout(() => launcher.kill('SIGKILL'), 30_000);

      await exited;
      clearTimeout(timer);
    }

    for (const pid of this.startedPids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // The process has already exited.
      }
    }

    rmSync(this.dataDir, { recursive: true, force: true });
    rmSync(this.distDir, { recursive: true, force: true });
  }

  private startedPids(): number[] {
    return this.logs
      .records()
      .filter((record) => record.source === 'launch' && record.msg === 'process started')
      .map((record) => record.pid as number);
  }
}

/** Average temp_max per calendar month, computed from the CSV itself as the oracle for the chart. */
function monthlyAverages(): Map<string, number> {
  const [header, ...lines] = readFileSync(CSV_FILE, 'utf8').trim().split('\n');
  const columns = header.split(',');
  const dateIndex = columns.indexOf('date');
  const valueIndex = columns.indexOf('temp_max');
  const sums = new Map<string, { total: number; count: number }>();

  for (const line of lines) {
    const fields = line.split(',');
    const bucket = `${fields[dateIndex].slice(0, 7)}-01T00:00:00Z`;
    const sum = sums.get(bucket) ?? { total: 0, count: 0 };

    sum.total += Number(fields[valueIndex]);
    sum.count += 1;
    sums.set(bucket, sum);
  }

  return new Map([...sums].map(([bucket, sum]) => [bucket, sum.total / sum.count]));
}

/**
 * Reads the buckets (UTC instants) and exact values from the data table of
 * the first widget, once its query has returned.
 */
async function widgetValues(page: Page): Promise<Map<string, number>> {
  const table = page.getByTestId('widget').first().getByTestId('widget-values');

  await table.waitFor({ state: 'attached' });

  const rows = await table
    .locator('tbody tr')
    .evaluateAll((elements) =>
      elements.map(
        (row) =>
          [
            (row.children[0] as HTMLElement).dataset.bucket ?? '',
            (row.children[1] as HTMLElement).dataset.value ?? '',
          ] as const,
      ),
    );

  return new Map(rows.map(([bucket, value]) => [bucket, Number(value)]));
}

/** Picks an option of a React Aria Select by its label: opens the list, then clicks the option. */
async function choose(page: Page, label: string, option: string): Promise<void> {
  await page
    .locator('.select-field')
    .filter({ has: page.locator('.react-aria-Label', { hasText: new RegExp(`^${label}$`) }) })
    .getByRole('button')
    .click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

/** Reads where each widget sits on the grid, as "x,y,w,h" in grid units, by widget title. */
async function widgetPlacements(page: Page): Promise<Record<string, string>> {
  const cells = await page
    .getByTestId('dashboard-grid')
    .locator('[data-widget-id]')
    .evaluateAll((elements) =>
      elements.map((cell) => [
        cell.querySelector('h3')?.textContent ?? '',
        (cell as HTMLElement).dataset.placement ?? '',
      ]),
    );

  return Object.fromEntries(cells);
}

describe('dashboard flow in the browser', () => {
  let platform: PlatformProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let dashboardUrl: string;
  let step = 0;

  const screenshot = async (name: string): Promise<void> => {
    step += 1;
    await page.screenshot({
      path: path.join(SCREENSHOT_DIR, `${String(step).padStart(2, '0')}-${name}.png`),
      fullPage: true,
    });
  };

  beforeAll(async () => {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    platform = await PlatformProcess.start(admin);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
    context = await browser.newContext({
      baseURL: platform.baseUrl,
      viewport: { width: 1280, height: 900 },
    });
    context.setDefaultTimeout(30_000);
    page = await context.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  }, 60_000);

  it('turns a file into a saved chart', async () => {
    await page.goto('/');
    await expectVisible(page.getByRole('heading', { name: 'Sign in to Rokks' }));
    await page.getByLabel('E-mail').fill(admin.email);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectVisible(page.getByRole('alert').filter({ hasText: 'Sign-in failed' }));
    await screenshot('sign-in-rejected');
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Data', exact: true }));

    await page.getByLabel(/Choose a CSV/).setInputFiles(CSV_FILE);

    const profileColumns = page.getByTestId('profile-columns');

    await expectVisible(profileColumns.getByRole('rowheader', { name: 'temp_max' }));
    await expectVisible(page.getByTestId('preview-stats'));

    const facts = await page.getByTestId('profile-facts').innerText();
    const dateRow = await profileColumns.getByRole('row', { name: /^date/ }).innerText();

    expect(facts).toMatch(/Format\s+csv/);
    expect(facts).toMatch(/Encoding\s+utf-8/);
    expect(facts).toMatch(/Delimiter\s+","/);
    expect(dateRow).toMatch(/^date\s+date\s/);
    await screenshot('profile');

    // A cast that cannot succeed shows rejected rows with reasons, then goes away.
    await page.getByLabel('Column', { exact: true }).selectOption('weather');
    await page.getByLabel('Type', { exact: true }).selectOption('integer');
    await page.getByRole('button', { name: 'Add cast step' }).click();
    await expectText(page.getByTestId('preview-stats'), '0 of 100 sample rows pass, 100 rejected.');
    expect(
      await page.getByTestId('preview-rejects').locator('tbody tr').first().innerText(),
    ).toMatch(/^2\s+weather\s+drizzle\s+\S/);
    await screenshot('rejected-rows');
    await page.getByRole('button', { name: /^Remove step 1/ }).click();

    await page.getByLabel('Column', { exact: true }).selectOption('date');
    await page.getByLabel('Type', { exact: true }).selectOption('date');
    await page.getByLabel('Format (optional)').fill('yyyy-MM-dd');
    await page.getByRole('button', { name: 'Add cast step' }).click();
    await expectText(
      page.getByRole('list', { name: 'Steps' }),
      'Cast date to date (format yyyy-MM-dd)',
    );
    await expectText(page.getByTestId('preview-stats'), '100 of 100 sample rows pass, 0 rejected.');
    await screenshot('cast-date');

    await page.getByLabel('Table name').fill(TABLE);
    await page.getByLabel('Mode').selectOption('create');
    await page.getByRole('button', { name: 'Load into table' }).click();
    await expectVisible(page.locator('[data-testid="load-job"][data-status="succeeded"]'), 60_000);
    expect(await page.getByTestId('load-job').innerText()).toContain(
      '1461 rows read, 1461 loaded, 0 rejected',
    );
    await screenshot('loaded');

    // The load is listed as a finished job, recorded in the audit log, and every service is up.
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();

    const loadJobRow = page
      .getByTestId('jobs')
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: TABLE, exact: true }) });

    await expectVisible(loadJobRow);
    expect(await loadJobRow.getAttribute('data-status')).toBe('succeeded');
    expect(await loadJobRow.innerText()).toMatch(/^ETL\s+succeeded\s+1,?461\s+1,?461\s+0\s/);
    await screenshot('jobs');
    await loadJobRow.getByRole('link', { name: 'ETL' }).click();
    await expectVisible(page.locator('[data-testid="job-facts"][data-status="succeeded"]'));
    await expectText(page.getByTestId('job-facts'), '1461 rows read, 1461 loaded, 0 rejected');
    await expectText(page.getByTestId('job-events'), 'Job succeeded');
    await expectText(page.getByTestId('job-log'), 'loaded 1461 rows, rejected 0');
    expect(await page.getByRole('button', { name: 'Cancel job' }).count()).toBe(0);
    await screenshot('job');

    await page.getByRole('link', { name: 'Audit', exact: true }).click();
    await page.getByLabel('Action').fill('table.created');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expectVisible(
      page
        .getByTestId('audit')
        .getByRole('row')
        .filter({ hasText: `default/${TABLE}` }),
    );
    expect(new Set(await page.getByTestId('audit').locator('tbody th').allInnerTexts())).toEqual(
      new Set(['table.created']),
    );
    await screenshot('audit');

    await page.getByRole('link', { name: 'Status', exact: true }).click();
    await expectText(page.getByTestId('platform-status'), 'The platform is up');

    const serviceStatuses = await page
      .getByTestId('services')
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.map((row) => [row.children[0].textContent, (row as HTMLElement).dataset.status]),
      );

    expect(serviceStatuses.length).toBeGreaterThan(0);
    expect(serviceStatuses.filter(([, status]) => status !== 'up')).toEqual([]);
    await screenshot('status');

    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    await loadJobRow.getByRole('link', { name: TABLE, exact: true }).click();
    await expectVisible(page.getByRole('heading', { name: `Table ${TABLE}` }));
    await expectText(page.locator('main'), '1,461 rows.');
    await page.getByRole('link', { name: 'Tables', exact: true }).click();
    await expectText(
      page.getByTestId('tables').getByRole('row', { name: new RegExp(`^${TABLE}\\b`) }),
      '1,461',
    );
    await screenshot('tables');

    await page.getByRole('link', { name: 'SQL', exact: true }).click();
    await page
      .getByLabel(/SQL statement/)
      .fill(`SELECT count(*) AS n, max(date) AS last FROM ${TABLE}`);
    await page.getByRole('button', { name: 'Run' }).click();
    await expectText(page.getByTestId('sql-result'), '2015-12-31');
    expect(await page.getByTestId('sql-result').locator('tbody td').first().innerText()).toBe(
      '1461',
    );
    await page.getByLabel(/SQL statement/).fill('SELECT * FROM no_such_table');
    await page.getByRole('button', { name: 'Run' }).click();
    await expectText(page.getByRole('alert'), 'table no_such_table not found');
    await screenshot('sql-error');

    await page.getByRole('link', { name: 'Dashboards', exact: true }).click();
    await page.getByLabel('New dashboard title').fill('Seattle weather');
    await page.getByRole('button', { name: 'Create dashboard' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Seattle weather' }));
    await page.getByRole('button', { name: 'Add widget' }).click();
    await expectVisible(page.getByRole('dialog', { name: 'Add a widget' }));
    await choose(page, 'Widget type', 'Line chart');
    await choose(page, 'Table', TABLE);
    await choose(page, 'Aggregation', 'Average (avg)');
    await choose(page, 'Measure column', 'temp_max (float)');
    await choose(page, 'Time column', 'date');
    await choose(page, 'Time bucket', '1 month');
    await screenshot('widget-editor');
    await page.getByRole('dialog').getByRole('button', { name: 'Add widget' }).click();
    await expectVisible(page.getByTestId('widget').locator('canvas'));
    await page.getByText(/^Values \(48 buckets\)$/).click();

    const expected = monthlyAverages();
    const displayed = await widgetValues(page);

    expect(expected.size).toBe(48);
    expect([...displayed.keys()]).toEqual([...expected.keys()]);

    for (const [bucket, value] of expected) {
      expect([bucket, displayed.get(bucket)]).toEqual([bucket, expect.closeTo(value, 9)]);
    }

    await expectText(page.getByTestId('save-state'), 'Unsaved changes');
    await screenshot('dashboard-draft');

    // The unsaved draft survives a reload, kept in the browser's local storage.
    dashboardUrl = page.url();
    await page.reload();
    await expectVisible(page.getByTestId('widget').locator('canvas'));
    await expectText(page.getByTestId('save-state'), 'Unsaved changes');
    expect(await widgetValues(page)).toEqual(displayed);

    // A number beside the chart, then a wider chart through its resize handle.
    await page.getByRole('button', { name: 'Add widget' }).click();
    await choose(page, 'Widget type', 'Number');
    await choose(page, 'Table', TABLE);
    await choose(page, 'Aggregation', 'Count of rows (count)');
    await page.getByLabel('Title (optional)').fill('Days');
    await page.getByRole('dialog').getByRole('button', { name: 'Add widget' }).click();
    await expectText(page.getByTestId('widget-number'), '1,461');
    expect(await widgetPlacements(page)).toEqual({
      'avg of temp_max per 1 month': '0,0,6,9',
      Days: '6,0,3,4',
    });

    const handle = page.locator('[data-widget-id]').first().locator('.react-resizable-handle');
    const box = await handle.boundingBox();

    expect(box).not.toBeNull();
    await page.mouse.move((box?.x ?? 0) + 5, (box?.y ?? 0) + 5);
    await page.mouse.down();
    await page.mouse.move((box?.x ?? 0) + 120, (box?.y ?? 0) + 90, { steps: 10 });
    await page.mouse.up();

    const resized = await widgetPlacements(page);

    expect(resized['avg of temp_max per 1 month']).toMatch(/^0,0,(7|8|9),(10|11|12)$/);
    await screenshot('dashboard-resized');

    await page.getByRole('button', { name: 'Save dashboard' }).click();
    await expectText(page.getByTestId('save-state'), 'Saved at');
    await screenshot('dashboard');

    await page.reload();
    await expectVisible(page.getByRole('heading', { name: 'Seattle weather' }));
    await expectVisible(page.getByTestId('widget').locator('canvas'));
    await expectText(page.getByTestId('save-state'), 'Saved at');
    expect(page.url()).toBe(dashboardUrl);
    expect(await widgetValues(page)).toEqual(displayed);
    expect(await widgetPlacements(page)).toEqual(resized);
    await screenshot('dashboard-after-reload');

    // The display time zone moves month starts to local midnight; discarding restores UTC.
    await page.getByText(/^Values \(48 buckets\)$/).click();
    await page.getByText('Dashboard settings').click();
    await page.getByRole('combobox', { name: 'Display time zone' }).fill('Europe/Berlin');
    await page.getByRole('option', { name: 'Europe/Berlin', exact: true }).click();
    await expectText(page.getByTestId('widget-values').first(), 'Bucket (Europe/Berlin)');

    const berlin = await widgetValues(page);

    expect(berlin.size).toBe(48);
    expect([...berlin.keys()][0]).toBe('2011-12-31T23:00:00Z');
    expect(
      await page.getByTestId('widget-values').first().locator('tbody td').first().innerText(),
    ).toBe('2012-01');
    expect([...berlin.values()]).toEqual([...displayed.values()]);
    await screenshot('dashboard-time-zone');
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Discard changes' }).click();
    await expectText(page.getByTestId('save-state'), 'Saved at');
    expect(await widgetValues(page)).toEqual(displayed);
  }, 150_000);

  it('keeps the chart after a column rename', async () => {
    const before = await widgetValues(page);

    expect(before.size).toBe(48);
    await page.getByRole('link', { name: 'Tables', exact: true }).click();
    await page.getByRole('link', { name: TABLE }).click();
    await page.getByLabel('Name of column temp_max (float)').fill('max_temp');
    await page.getByLabel('Name of column temp_max (float)').press('Enter');
    await expectVisible(page.getByLabel('Name of column max_temp (float)'));
    await screenshot('column-renamed');

    await page.goto(dashboardUrl);
    await expectText(page.getByTestId('widget'), `avg of max_temp per 1 month of date in ${TABLE}`);
    await expectVisible(page.getByTestId('widget').locator('canvas'));
    expect(await widgetValues(page)).toEqual(before);
    await page.getByText(/^Values \(48 buckets\)$/).click();
    await expectText(page.getByTestId('widget-values').first(), 'avg of max_temp');
    await expectText(page.getByTestId('save-state'), 'Saved at');
    await screenshot('dashboard-after-rename');

    // The widget's form shows the renamed column as the chosen measure.
    await expectVisible(page.getByRole('heading', { name: 'avg of max_temp per 1 month' }));
    await page
      .getByRole('button', { name: 'Actions for widget avg of max_temp per 1 month' })
      .click();
    await page.getByRole('menuitem', { name: 'Edit…' }).click();
    await expectText(
      page.getByRole('dialog').locator('.select-field').filter({ hasText: 'Measure column' }),
      'max_temp (float)',
    );
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

    // From the keyboard alone: open the widget's menu and make it taller.
    const daysBefore = (await widgetPlacements(page)).Days.split(',').map(Number);

    await page.getByRole('button', { name: 'Actions for widget Days' }).focus();
    await page.keyboard.press('Enter');
    await expectVisible(page.getByRole('menu'));

    for (let step = 0; step < 12; step += 1) {
      if ((await page.evaluate(() => document.activeElement?.textContent)) === 'Make taller') {
        break;
      }

      await page.keyboard.press('ArrowDown');
    }

    await page.keyboard.press('Enter');
    expect((await widgetPlacements(page)).Days).toBe(
      [daysBefore[0], daysBefore[1], daysBefore[2], daysBefore[3] + 1].join(','),
    );
    await expectText(page.getByTestId('save-state'), 'Unsaved changes');

    // Rename the dashboard and save it.
    await page.getByText('Dashboard settings').click();
    await page.getByLabel('Dashboard title').fill('Seattle weather 2012 to 2015');
    await page.getByRole('button', { name: 'Save dashboard' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Seattle weather 2012 to 2015' }));
    await expectText(page.getByTestId('save-state'), 'Saved at');

    // Delete another dashboard: Cancel keeps it, the confirmation deletes it.
    await page.getByRole('link', { name: 'All dashboards' }).click();
    await page.getByLabel('New dashboard title').fill('Scratch');
    await page.getByRole('button', { name: 'Create dashboard' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Scratch' }));
    await page.getByText('Dashboard settings').click();
    await page.getByRole('button', { name: 'Delete dashboard' }).click();
    await expectText(page.getByRole('alertdialog'), 'Delete the dashboard Scratch?');
    await screenshot('dashboard-delete-confirmation');
    await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Scratch' }));
    await page.getByRole('button', { name: 'Delete dashboard' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete dashboard' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Dashboards', exact: true }));

    const list = page.getByRole('list', { name: 'Dashboards' });

    await expectText(list, 'Seattle weather 2012 to 2015');
    expect(await list.innerText()).not.toContain('Scratch');
    await screenshot('dashboards');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Sign in to Rokks' }));
    await page.reload();
    await expectVisible(page.getByRole('heading', { name: 'Sign in to Rokks' }));
  }, 90_000);
});

async function expectVisible(
  locator: ReturnType<Page['locator']>,
  timeout?: number,
): Promise<void> {
  await locator.first().waitFor({ state: 'visible', timeout });
}

/** Waits until the element's text contains `text`, so a failure names the text it last had. */
async function expectText(locator: ReturnType<Page['locator']>, text: string): Promise<void> {
  const target = locator.first();

  try {
    await target.filter({ hasText: text }).waitFor({ state: 'visible' });
  } catch {
    expect(await target.innerText().catch(() => '(no such element)')).toContain(text);
  }
}
