import { type EtlResult } from './etl.types';
import { runEtl } from './run-etl';
import { MemoryRejects } from './testing/memory-rejects';
import { createTestDatabase, PostgresLoadTarget, type TestDatabase } from './testing/postgres-load-target';
import { sharedFile } from './testing/shared-data.util';

// Data rows as a CSV parser counts them; the last record of three files has no line end.
const DATA_SETS = [
  { file: 'seattle-weather.csv', table: 'seattle_weather', rows: 1461 },
  { file: 'stocks.csv', table: 'stocks', rows: 560 },
  { file: 'birdstrikes.csv', table: 'birdstrikes', rows: 10000 },
  { file: 'zipcodes.csv', table: 'zipcodes', rows: 42049 },
  { file: 'github.csv', table: 'github', rows: 955 },
  { file: 'disasters.csv', table: 'disasters', rows: 803 },
  { file: 'unemployment.tsv', table: 'unemployment', rows: 3218 },
  { file: 'co2-concentration.csv', table: 'co2_concentration', rows: 741 },
  { file: 'sp500-2000.csv', table: 'sp500_2000', rows: 5105 },
];

describe('runEtl over the public data sets', () => {
  let database: TestDatabase;
  let target: PostgresLoadTarget;
  const results = new Map<string, EtlResult>();

  beforeAll(async () => {
    database = await createTestDatabase();
    target = new PostgresLoadTarget(database.connection);
  });

  afterAll(async () => {
    await database.drop();
  });

  it.each(DATA_SETS)('loads $file with every row', async ({ file, table, rows }) => {
    const rejects = new MemoryRejects();
    const result = await runEtl({
      source: sharedFile('real', file),
      spec: { steps: [] },
      target: { table, mode: 'create' },
      loadTarget: target,
      loadId: `load-${table}`,
      rejects,
    });

    results.set(table, result);
    expect(result.rowsLoaded).toBe(rows);
    expect(result.rowsRejected).toBe(0);
    expect(result.valuesNulled).toBe(0);
    expect(result.rejectsFileId).toBeUndefined();
    expect(rejects.opened).toBe(0);
    expect(await target.count(table)).toBe(rows);
  }, 60_000);

  it('keeps zip codes with leading zeros as text', async () => {
    const columns = await target.columnsOf('zipcodes');
    const rows = await target.query<{ count: string }>(
      `SELECT count(*) FROM ${await physicalTable(target, 'zipcodes')} WHERE ${physical(columns, 'zip_code')} = '00501'`,
    );
    const first = (await target.selectText('zipcodes'))[0];

    expect(columns.find((column) => column.name === 'zip_code')?.type).toBe('text');
    expect(rows[0].count).toBe('1');
    expect(first).toEqual({
      zip_code: '00501',
      latitude: '40.922326',
      longitude: '-72.637078',
      city: 'Holtsville',
      state: 'NY',
      county: 'Suffolk',
    });
  });

  it('keeps the birdstrikes headers as labels', async () => {
    const columns = await target.columnsOf('birdstrikes');
    const costTotal = columns.find((column) => column.name === 'cost_total');
    const rows = await target.selectText('birdstrikes');

    expect(costTotal).toMatchObject({ label: 'Cost Total $', type: 'integer' });
    expect(columns.find((column) => column.label === 'Speed IAS in knots')?.name).toBe('speed_ias_in_knots');
    expect(results.get('birdstrikes')?.columns.map((column) => column.label)).toContain('Cost Total $');
    expect(rows[0]).toMatchObject({
      airport_name: 'BARKSDALE AIR FORCE BASE ARPT',
      aircraft_make_model: 'T-38A',
      flight_date: '1990-01-08',
      cost_total: '0',
      speed_ias_in_knots: '300',
    });
    expect(rows[9999]).toMatchObject({ airport_name: 'GREATER PITTSBURGH', flight_date: '2002-07-25', speed_ias_in_knots: '140' });
  });

  it('reads the stocks dates as dates', async () => {
    const columns = await target.columnsOf('stocks');
    const rows = await target.selectText('stocks');

    expect(columns.map((column) => [column.name, column.type])).toEqual([
      ['symbol', 'text'],
      ['date', 'date'],
      ['price', 'float'],
    ]);
    expect(rows[0]).toEqual({ symbol: 'MSFT', date: '2000-01-01', price: '39.81' });
    expect(rows[559].date).toBe('2010-03-01');
  });

  it('stores the other data sets as typed values', async () => {
    const weather = await target.selectText('seattle_weather');
    const github = await target.selectText('github');
    const unemployment = await target.selectText('unemployment');
    const co2 = await target.columnsOf('co2_concentration');
    const sp500 = await target.selectText('sp500_2000');
    const disasters = await target.selectText('disasters');

    expect(weather[0]).toEqual({
      date: '2012-01-01',
      precipitation: '0',
      temp_max: '12.8',
      temp_min: '5',
      wind: '4.7',
      weather: 'drizzle',
    });
    expect(github[0]).toEqual({ time: '2015-01-01 01:00:00', count: '2' });
    expect(unemployment[0]).toEqual({ id: '1001', rate: '0.097' });
    expect(co2.map((column) => [column.name, column.label, column.type])).toEqual([
      ['date', 'Date', 'date'],
      ['co2', 'CO2', 'float'],
      ['adjusted_co2', 'adjusted CO2', 'float'],
    ]);
    expect(sp500[5104]).toEqual({
      date: '2020-04-17',
      open: '2842.429932',
      high: '2879.219971',
      low: '2830.879883',
      close: '2874.560059',
      adjclose: '2874.560059',
      volume: '5792140000',
    });
    expect(disasters[0]).toEqual({ entity: 'All natural disasters', year: '1900', deaths: '1267360' });
  });
});

async function physicalTable(target: PostgresLoadTarget, table: string): Promise<string> {
  const [row] = await target.query<{ table_id: string }>('SELECT table_id FROM etl_catalog WHERE name = $1', [table]);

  return `"${row.table_id}"`;
}

function physical(columns: readonly { id: string; name: string }[], name: string): string {
  return `"${columns.find((column) => column.name === name)?.id}"`;
}
