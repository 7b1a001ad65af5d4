import { type FormEvent, useCallback, useEffect, useState } from 'react';

import { type StoredDocument, type TableInfo } from '../api/types';
import { Link, navigate } from '../app/router';
import { ErrorMessage } from '../components/ErrorMessage';
import { Field } from '../components/Field';
import {
  AGGREGATIONS,
  type Aggregation,
  type Dashboard,
  deleteDashboard,
  getDashboard,
  listDashboards,
  randomId,
  saveDashboard,
  TIME_BUCKETS,
  type LineWidget,
} from '../dashboards/dashboard-store';
import { LineWidgetView } from '../dashboards/LineWidgetView';
import { useTables } from './use-tables';

const TIME_TYPES = new Set(['date', 'timestamp', 'timestamptz']);
const NUMERIC_TYPES = new Set(['integer', 'float', 'numeric']);

/** Shows the list of dashboards, or one dashboard when `dashboardId` is set. */
export function DashboardsPage({ dashboardId }: { dashboardId?: string }) {
  return dashboardId === undefined ? (
    <DashboardList />
  ) : (
    <DashboardView key={dashboardId} dashboardId={dashboardId} />
  );
}

function DashboardList() {
  const [dashboards, setDashboards] = useState<StoredDocument<Dashboard>[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [title, setTitle] = useState('');

  useEffect(() => {
    listDashboards().then(setDashboards, setError);
  }, []);

  const create = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(null);

    const id = randomId();

    try {
      await saveDashboard(id, { title: title.trim(), timezone: 'UTC', widgets: [] });
      navigate(`/dashboards/${id}`);
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <section>
      <h1>Dashboards</h1>
      <form className="inline-form" onSubmit={(event) => void create(event)}>
        <Field label="New dashboard title">
          {(id) => (
            <input
              id={id}
              required
              value={title}
              onChange={(event) => setTitle(event.target.value)}
            />
          )}
        </Field>
        <button type="submit">Create dashboard</button>
      </form>
      <ErrorMessage error={error} context="Dashboards" />
      {dashboards === null ? null : dashboards.length === 0 ? (
        <p>No dashboards yet: create one above.</p>
      ) : (
        <ul className="dashboard-list" aria-label="Dashboards">
          {dashboards.map((dashboard) => (
            <li key={dashboard.id}>
              <Link to={`/dashboards/${dashboard.id}`}>{dashboard.data.title}</Link> (
              {dashboard.data.widgets.length} widgets)
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function DashboardView({ dashboardId }: { dashboardId: string }) {
  const [stored, setStored] = useState<StoredDocument<Dashboard> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const { tables, error: tablesError } = useTables();

  useEffect(() => {
    const controller = new AbortController();

    getDashboard(dashboardId, controller.signal).then(setStored, (caught: unknown) => {
      if (!controller.signal.aborted) {
        setError(caught);
      }
    });

    return () => controller.abort();
  }, [dashboardId]);

  const update = useCallback(
    async (change: (dashboard: Dashboard) => Dashboard): Promise<void> => {
      if (stored === null) {
        return;
      }

      setSaveError(null);

      try {
        setStored(await saveDashboard(dashboardId, change(stored.data), stored.version));
      } catch (caught) {
        setSaveError(caught);
      }
    },
    [dashboardId, stored],
  );

  const remove = async (): Promise<void> => {
    try {
      await deleteDashboard(dashboardId);
      navigate('/dashboards');
    } catch (caught) {
      setSaveError(caught);
    }
  };

  if (stored === null) {
    return error === null ? (
      <p role="status">Loading…</p>
    ) : (
      <ErrorMessage error={error} context="Loading the dashboard failed" />
    );
  }

  const dashboard = stored.data;

  return (
    <section>
      <p>
        <Link to="/dashboards">All dashboards</Link>
      </p>
      <h1>{dashboard.title}</h1>
      <div className="inline-form">
        <Field label="Display time zone">
          {(id) => (
            <select
              id={id}
              value={dashboard.timezone}
              onChange={(event) =>
                void update((current) => ({ ...current, timezone: event.target.value }))
              }
            >
              {[
                ...new Set([
                  'UTC',
                  Intl.DateTimeFormat().resolvedOptions().timeZone,
                  dashboard.timezone,
                ]),
              ].map((zone) => (
                <option key={zone} value={zone}>
                  {zone}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="button" className="danger" onClick={() => void remove()}>
          Delete dashboard
        </button>
      </div>
      <ErrorMessage error={saveError} context="Saving the dashboard failed" />
      <ErrorMessage error={tablesError} context="Loading the tables failed" />
      <div className="widgets">
        {dashboard.widgets.map((widget) => (
          <LineWidgetView
            key={widget.id}
            widget={widget}
            table={tables?.find((table) => table.id === widget.tableId)}
            timezone={dashboard.timezone}
            onRemove={() =>
              void update((current) => ({
                ...current,
                widgets: current.widgets.filter((item) => item.id !== widget.id),
              }))
            }
          />
        ))}
      </div>
      {tables === null ? null : (
        <AddWidgetForm
          tables={tables}
          onAdd={(widget) =>
            update((current) => ({ ...current, widgets: [...current.widgets, widget] }))
          }
        />
      )}
    </section>
  );
}

function AddWidgetForm({
  tables,
  onAdd,
}: {
  tables: readonly TableInfo[];
  onAdd: (widget: LineWidget) => Promise<void>;
}) {
  const [tableId, setTableId] = useState('');
  const [measureId, setMeasureId] = useState('');
  const [agg, setAgg] = useState<Aggregation>('avg');
  const [timeId, setTimeId] = useState('');
  const [interval, setBucketInterval] = useState('1 month');
  const [title, setTitle] = useState('');
  const table = tables.find((candidate) => candidate.id === tableId) ?? tables[0];
  const measureColumns = (table?.columns ?? []).filter(
    (column) => agg.startsWith('count') || NUMERIC_TYPES.has(column.type),
  );
  const timeColumns = (table?.columns ?? []).filter((column) => TIME_TYPES.has(column.type));
  const measure =
    agg === 'count'
      ? null
      : (measureColumns.find((column) => column.id === measureId) ?? measureColumns[0]);
  const time = timeColumns.find((column) => column.id === timeId) ?? timeColumns[0];

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();

    if (table === undefined || time === undefined) {
      return;
    }

    const defaultTitle = `${measure === null || measure === undefined ? agg : `${agg} ${measure.name}`} per ${interval}`;

    await onAdd({
      id: randomId(),
      type: 'line',
      title: title.trim() === '' ? defaultTitle : title.trim(),
      tableId: table.id,
      measure: { columnId: measure?.id ?? null, agg },
      timeBucket: { columnId: time.id, interval },
    });
    setTitle('');
  };

  return (
    <form
      className="widget-form"
      onSubmit={(event) => void submit(event)}
      aria-labelledby="add-widget-heading"
    >
      <h2 id="add-widget-heading">Add a line chart</h2>
      <Field label="Table">
        {(id) => (
          <select
            id={id}
            value={table?.id ?? ''}
            onChange={(event) => setTableId(event.target.value)}
          >
            {tables.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Aggregation">
        {(id) => (
          <select
            id={id}
            value={agg}
            onChange={(event) => setAgg(event.target.value as Aggregation)}
          >
            {AGGREGATIONS.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        )}
      </Field>
      {agg === 'count' ? null : (
        <Field label="Measure column">
          {(id) => (
            <select
              id={id}
              value={measure?.id ?? ''}
              onChange={(event) => setMeasureId(event.target.value)}
            >
              {measureColumns.map((column) => (
                <option key={column.id} value={column.id}>
                  {column.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <Field label="Time column">
        {(id) => (
          <select
            id={id}
            value={time?.id ?? ''}
            onChange={(event) => setTimeId(event.target.value)}
          >
            {timeColumns.map((column) => (
              <option key={column.id} value={column.id}>
                {column.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Time bucket">
        {(id) => (
          <select
            id={id}
            value={interval}
            onChange={(event) => setBucketInterval(event.target.value)}
          >
            {TIME_BUCKETS.map((bucket) => (
              <option key={bucket} value={bucket}>
                {bucket}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Title (optional)">
        {(id) => <input id={id} value={title} onChange={(event) => setTitle(event.target.value)} />}
      </Field>
      {time === undefined ? (
        <p className="hint">This table has no date or time column to bucket by.</p>
      ) : null}
      <button
        type="submit"
        disabled={time === undefined || (agg !== 'count' && measure === undefined)}
      >
        Add chart
      </button>
    </form>
  );
}
