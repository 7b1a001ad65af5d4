import '../dashboards/dashboards.css';

import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { Button } from 'react-aria-components';

import { ApiError } from '../api/api-error';
import { type StoredDocument } from '../api/types';
import { Link, navigate } from '../app/router';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatTime } from '../components/format-time';
import { ConfirmButton, SearchSelectField, TextInputField } from '../dashboards/controls';
import { hasDraft, useDashboardDraft, writeDraft } from '../dashboards/dashboard-draft';
import {
  completeLayout,
  type Dashboard,
  deleteDashboard,
  getDashboard,
  listDashboards,
  randomId,
  saveDashboard,
  type Widget,
} from '../dashboards/dashboard-store';
import { DashboardGrid } from '../dashboards/DashboardGrid';
import { WidgetEditor } from '../dashboards/WidgetEditor';
import { useTables } from './use-tables';

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

    if (title.trim() === '') {
      setError(new Error('Type a title for the new dashboard.'));

      return;
    }

    const id = randomId();

    try {
      await saveDashboard(
        id,
        { title: title.trim(), timezone: 'UTC', widgets: [], layout: [] },
        'new',
      );
      navigate(`/dashboards/${id}`);
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <section className="dashboards-page">
      <h1>Dashboards</h1>
      <p className="help">Saved dashboards are shared with everyone in the workspace.</p>
      <form className="inline-form" onSubmit={(event) => void create(event)}>
        <TextInputField label="New dashboard title" value={title} onChange={setTitle} isRequired />
        <Button type="submit">Create dashboard</Button>
      </form>
      <ErrorMessage error={error} context="Dashboards" />
      {dashboards === null ? (
        error === null ? (
          <p role="status">Loading…</p>
        ) : null
      ) : dashboards.length === 0 ? (
        <p>No dashboards yet: create one above.</p>
      ) : (
        <ul className="dashboard-list" aria-label="Dashboards">
          {dashboards.map((dashboard) => (
            <li key={dashboard.id}>
              <Link to={`/dashboards/${dashboard.id}`}>{dashboard.data.title}</Link>{' '}
              <span className="help">
                {dashboard.data.widgets.length}{' '}
                {dashboard.data.widgets.length === 1 ? 'widget' : 'widgets'}, saved{' '}
                {formatTime(dashboard.updateTime)}
                {hasDraft(dashboard.id) ? ' · unsaved changes in this browser' : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function timeZones(current: string): { id: string; label: string }[] {
  const zones = new Set(['UTC', Intl.DateTimeFormat().resolvedOptions().timeZone, current]);

  for (const zone of Intl.supportedValuesOf('timeZone')) {
    zones.add(zone);
  }

  return [...zones].map((zone) => ({ id: zone, label: zone }));
}

function DashboardView({ dashboardId }: { dashboardId: string }) {
  const [stored, setStored] = useState<StoredDocument<Dashboard> | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [editing, setEditing] = useState<Widget | 'new' | null>(null);
  const { draft, setDraft, stored: draftKept } = useDashboardDraft(dashboardId);
  const { tables, error: tablesError } = useTables();

  useEffect(() => {
    const controller = new AbortController();

    getDashboard(dashboardId, controller.signal).then(setStored, (caught: unknown) => {
      if (!controller.signal.aborted) {
        setLoadError(caught);
      }
    });

    return () => controller.abort();
  }, [dashboardId]);

  const dashboard = draft?.data ?? stored?.data ?? null;
  const zones = useMemo(() => timeZones(dashboard?.timezone ?? 'UTC'), [dashboard?.timezone]);

  if (stored === null || dashboard === null) {
    return loadError === null ? (
      <p role="status">Loading…</p>
    ) : (
      <section>
        <p>
          <Link to="/dashboards">All dashboards</Link>
        </p>
        <ErrorMessage error={loadError} context="Loading the dashboard failed" />
        {draft === null ? null : (
          <Button className="secondary" onPress={() => setDraft(null)}>
            Forget the unsaved changes kept in this browser
          </Button>
        )}
      </section>
    );
  }

  const edit = (change: (current: Dashboard) => Dashboard): void => {
    setSaveError(null);
    setDraft({ baseVersion: draft?.baseVersion ?? stored.version, data: change(dashboard) });
  };

  const save = async (version: number): Promise<void> => {
    if (draft === null) {
      return;
    }

    setSaving(true);
    setSaveError(null);

    try {
      setStored(await saveDashboard(dashboardId, draft.data, version));
      setDraft(null);
    } catch (caught) {
      setSaveError(caught);
    } finally {
      setSaving(false);
    }
  };

  /** Saves the draft over whatever someone else saved meanwhile. */
  const overwrite = async (): Promise<void> => {
    try {
      const latest = await getDashboard(dashboardId);

      setStored(latest);
      await save(latest.version);
    } catch (caught) {
      setSaveError(caught);
    }
  };

  const remove = async (): Promise<void> => {
    try {
      await deleteDashboard(dashboardId);
      writeDraft(dashboardId, null);
      navigate('/dashboards');
    } catch (caught) {
      setSaveError(caught);
    }
  };

  const conflict =
    (saveError instanceof ApiError && saveError.status === 412) ||
    (draft !== null && draft.baseVersion !== stored.version);

  return (
    <section className="dashboard-page">
      <p>
        <Link to="/dashboards">All dashboards</Link>
      </p>
      <h1>{dashboard.title}</h1>
      <div className="dashboard-toolbar">
        <p
          role="status"
          className={draft === null ? 'save-state' : 'save-state unsaved'}
          data-testid="save-state"
        >
          {draft === null
            ? `Saved at ${formatTime(stored.updateTime)} and shared with the workspace.`
            : draftKept
              ? 'Unsaved changes, kept in this browser until you save them.'
              : 'Unsaved changes: this browser refused to keep them, so save before you leave.'}
        </p>
        <Button
          isDisabled={draft === null || saving}
          onPress={() => void save(draft?.baseVersion ?? stored.version)}
        >
          {saving ? 'Saving…' : 'Save dashboard'}
        </Button>
        {draft === null ? null : (
          <ConfirmButton
            className="secondary"
            label="Discard changes"
            title="Discard the unsaved changes?"
            confirmLabel="Discard changes"
            onConfirm={() => {
              setSaveError(null);
              setDraft(null);
            }}
          >
            <p>The dashboard goes back to the version saved at {formatTime(stored.updateTime)}.</p>
          </ConfirmButton>
        )}
        <Button
          className="secondary"
          isDisabled={tables === null || tables.length === 0}
          onPress={() => setEditing('new')}
        >
          Add widget
        </Button>
      </div>
      {conflict ? (
        <div className="error" role="alert">
          <p>
            Someone saved this dashboard after you started changing it
            {draft !== null && draft.baseVersion !== stored.version
              ? ` (the saved version is from ${formatTime(stored.updateTime)})`
              : ''}
            .
          </p>
          <p className="hint">
            Keep your version and replace theirs, or discard your changes and load theirs.
          </p>
          <div className="dialog-actions start">
            <Button onPress={() => void overwrite()}>Replace with my version</Button>
            <Button
              className="secondary"
              onPress={() => {
                setSaveError(null);
                setDraft(null);
                void getDashboard(dashboardId).then(setStored, setLoadError);
              }}
            >
              Discard mine and load theirs
            </Button>
          </div>
        </div>
      ) : (
        <ErrorMessage
          error={saveError}
          context="Saving the dashboard failed"
          hints={{
            403: 'Your role can view dashboards but not change them: ask an administrator for the editor role.',
          }}
        />
      )}
      <ErrorMessage error={tablesError} context="Loading the tables failed" />
      {tables !== null && tables.length === 0 ? (
        <p className="hint">
          There are no tables yet: load a file on the <Link to="/data">Data</Link> page, then add
          widgets here.
        </p>
      ) : null}
      <details className="dashboard-settings">
        <summary>Dashboard settings</summary>
        <div className="inline-form">
          <TextInputField
            label="Dashboard title"
            value={dashboard.title}
            onChange={(title) => edit((current) => ({ ...current, title }))}
            isRequired
          />
          <SearchSelectField
            label="Display time zone"
            value={dashboard.timezone}
            options={zones}
            onChange={(timezone) => edit((current) => ({ ...current, timezone }))}
          />
          <ConfirmButton
            className="danger"
            label="Delete dashboard"
            title={`Delete the dashboard ${dashboard.title}?`}
            confirmLabel="Delete dashboard"
            onConfirm={() => void remove()}
          >
            <p>
              Everyone in the workspace loses it, with its {dashboard.widgets.length}{' '}
              {dashboard.widgets.length === 1 ? 'widget' : 'widgets'}. The tables stay.
            </p>
          </ConfirmButton>
        </div>
        <p className="help">
          Days, weeks, months and years start at midnight in the display time zone, and times show
          in it.
        </p>
      </details>
      {dashboard.widgets.length === 0 ? (
        <p>This dashboard has no widgets yet: use Add widget.</p>
      ) : (
        <DashboardGrid
          widgets={dashboard.widgets}
          layout={dashboard.layout}
          tables={tables}
          timezone={dashboard.timezone}
          onLayoutChange={(layout) => edit((current) => ({ ...current, layout }))}
          onEdit={(widget) => setEditing(widget)}
          onRemove={(widget) =>
            edit((current) => {
              const widgets = current.widgets.filter((item) => item.id !== widget.id);

              return { ...current, widgets, layout: completeLayout(widgets, current.layout) };
            })
          }
        />
      )}
      {editing === null || tables === null ? null : (
        <WidgetEditor
          widget={editing === 'new' ? null : editing}
          tables={tables}
          onClose={() => setEditing(null)}
          onSave={(widget) => {
            edit((current) => {
              const widgets = current.widgets.some((item) => item.id === widget.id)
                ? current.widgets.map((item) => (item.id === widget.id ? widget : item))
                : [...current.widgets, widget];

              return { ...current, widgets, layout: completeLayout(widgets, current.layout) };
            });
            setEditing(null);
          }}
        />
      )}
    </section>
  );
}
