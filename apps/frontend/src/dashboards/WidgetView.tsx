import { useEffect, useMemo, useState } from 'react';
import { Button, Menu, MenuItem, MenuTrigger, Popover, Separator } from 'react-aria-components';

import { apiJson } from '../api/client';
import { type QueryResult, type TableInfo } from '../api/types';
import { ErrorMessage } from '../components/ErrorMessage';
import { type Widget } from './dashboard-store';
import { type ArrangeAction } from './grid-arrange';
import {
  buildWidgetQuery,
  columnName,
  describeWidget,
  formatBucket,
  formatValue,
  MAX_CATEGORIES,
  readWidgetRows,
  toSeries,
  widgetTitle,
  type WidgetRow,
} from './widget-query';
import { WidgetChart } from './WidgetChart';

/** Next steps for the failures a widget's own settings cause. */
const QUERY_HINTS: Partial<Record<number, string>> = {
  400: "Open Edit… in the widget's menu and correct its columns or filter values.",
  404: "Its table or one of its columns was deleted: open Edit… in the widget's menu and choose another.",
  422: "A filter value does not fit its column's type: open Edit… in the widget's menu and correct it.",
};

const ARRANGE_LABELS: Record<ArrangeAction, string> = {
  'move-up': 'Move up',
  'move-down': 'Move down',
  'move-left': 'Move left',
  'move-right': 'Move right',
  wider: 'Make wider',
  narrower: 'Make narrower',
  taller: 'Make taller',
  shorter: 'Make shorter',
};

function ValuesTable({
  widget,
  title,
  table,
  rows,
  timezone,
}: {
  widget: Widget;
  title: string;
  table: TableInfo | undefined;
  rows: readonly WidgetRow[];
  timezone: string;
}) {
  const bucket = widget.timeBucket;
  const hasGroup = widget.groupByColumnId !== null;

  return (
    <div
      className="table-scroll widget-table"
      tabIndex={0}
      role="region"
      aria-label={`Values of ${title}`}
    >
      <table data-testid="widget-values">
        <thead>
          <tr>
            {bucket === null ? null : <th scope="col">Bucket ({timezone})</th>}
            {widget.groupByColumnId === null ? null : (
              <th scope="col">{columnName(table, widget.groupByColumnId)}</th>
            )}
            <th scope="col" className="number">
              {widget.measure.agg}
              {widget.measure.columnId === null
                ? ''
                : ` of ${columnName(table, widget.measure.columnId)}`}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={index}>
              {bucket === null || row.bucket === null ? null : (
                <td data-bucket={row.bucket}>
                  {formatBucket(row.bucket, bucket.interval, timezone)}
                </td>
              )}
              {hasGroup ? <td>{row.group}</td> : null}
              <td className="number" data-value={row.value ?? ''}>
                {formatValue(row.value)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function WidgetBody({
  widget,
  title,
  table,
  result,
  timezone,
  description,
  valuesOpen,
  onValuesToggle,
}: {
  widget: Widget;
  title: string;
  table: TableInfo | undefined;
  result: QueryResult;
  timezone: string;
  description: string;
  /** Whether the values under a chart show; kept by the caller so a new query keeps it. */
  valuesOpen: boolean;
  onValuesToggle: (open: boolean) => void;
}) {
  const rows = useMemo(() => readWidgetRows(widget, result), [widget, result]);
  const series = useMemo(() => toSeries(rows, title), [rows, title]);

  if (widget.type === 'number') {
    const value = rows[0]?.value ?? null;

    return (
      <p className="widget-number" data-testid="widget-number" data-value={value ?? ''}>
        {formatValue(value)}
      </p>
    );
  }

  if (widget.type === 'table') {
    return (
      <ValuesTable widget={widget} title={title} table={table} rows={rows} timezone={timezone} />
    );
  }

  if (rows.length === 0) {
    return <p className="hint">No rows match: check the filters, or load data into the table.</p>;
  }

  return (
    <>
      <WidgetChart
        type={widget.type}
        label={`${widget.type === 'bar' ? 'Bar' : widget.type === 'area' ? 'Area' : 'Line'} chart: ${description}`}
        series={series}
        interval={widget.timeBucket?.interval ?? null}
        timezone={timezone}
      />
      <details
        className="widget-details"
        open={valuesOpen}
        onToggle={(event) => onValuesToggle(event.currentTarget.open)}
      >
        <summary>
          Values ({rows.length}{' '}
          {widget.timeBucket === null || widget.groupByColumnId !== null ? 'rows' : 'buckets'})
        </summary>
        <ValuesTable widget={widget} title={title} table={table} rows={rows} timezone={timezone} />
      </details>
    </>
  );
}

/**
 * Runs the widget's `/api/sql/widget-query` and shows the result as a chart
 * (with its values in a table), a number or a table. The menu edits,
 * arranges and removes the widget.
 */
export function WidgetView({
  widget,
  table,
  timezone,
  onEdit,
  onArrange,
  onRemove,
}: {
  widget: Widget;
  table: TableInfo | undefined;
  timezone: string;
  onEdit: () => void;
  onArrange: (action: ArrangeAction) => void;
  onRemove: () => void;
}) {
  const [loaded, setLoaded] = useState<{ queryText: string; result: QueryResult } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);
  const [valuesOpen, setValuesOpen] = useState(false);
  const queryText = JSON.stringify(buildWidgetQuery(widget, table, timezone));
  // A result read with another widget's settings would put values in the wrong columns.
  const result = loaded?.queryText === queryText ? loaded.result : null;

  useEffect(() => {
    const controller = new AbortController();

    setError(null);
    apiJson<QueryResult>('/api/sql/widget-query', {
      body: JSON.parse(queryText) as unknown,
      signal: controller.signal,
    }).then(
      (answer) => {
        setLoaded({ queryText, result: answer });
        setError(null);
      },
      (caught: unknown) => {
        if (!controller.signal.aborted) {
          setLoaded(null);
          setError(caught);
        }
      },
    );

    return () => controller.abort();
  }, [queryText, generation]);

  const description = describeWidget(widget, table);
  const title = widgetTitle(widget, table);
  const headingId = `widget-${widget.id}`;

  return (
    <article
      className="widget"
      aria-labelledby={headingId}
      data-testid="widget"
      data-widget-type={widget.type}
    >
      <header className="widget-header">
        <h3 id={headingId} className="widget-drag-handle" title="Drag to move">
          {title}
        </h3>
        <MenuTrigger>
          <Button className="secondary small" aria-label={`Actions for widget ${title}`}>
            ⋯
          </Button>
          <Popover className="rac-popover">
            <Menu
              className="rac-menu"
              onAction={(key) => {
                const action = String(key);

                if (action === 'edit') {
                  onEdit();
                } else if (action === 'refresh') {
                  setGeneration((value) => value + 1);
                } else if (action === 'remove') {
                  onRemove();
                } else {
                  onArrange(action as ArrangeAction);
                }
              }}
            >
              <MenuItem className="rac-option" id="edit">
                Edit…
              </MenuItem>
              <MenuItem className="rac-option" id="refresh">
                Run again
              </MenuItem>
              <Separator />
              {(Object.keys(ARRANGE_LABELS) as ArrangeAction[]).map((action) => (
                <MenuItem className="rac-option" key={action} id={action}>
                  {ARRANGE_LABELS[action]}
                </MenuItem>
              ))}
              <Separator />
              <MenuItem className="rac-option danger" id="remove">
                Remove
              </MenuItem>
            </Menu>
          </Popover>
        </MenuTrigger>
      </header>
      <p className="help widget-description">{description}</p>
      <div className="widget-body">
        <ErrorMessage error={error} context="The widget's query failed" hints={QUERY_HINTS} />
        {result === null ? (
          error === null ? (
            <p role="status">Loading…</p>
          ) : null
        ) : (
          <>
            <WidgetBody
              widget={widget}
              title={title}
              table={table}
              result={result}
              timezone={timezone}
              description={description}
              valuesOpen={valuesOpen}
              onValuesToggle={setValuesOpen}
            />
            {result.truncated ? (
              <p className="hint">
                Truncated: the row limit applied, so later rows are missing. Use a longer time
                bucket or add filters.
              </p>
            ) : widget.type === 'bar' &&
              widget.timeBucket === null &&
              result.rows.length === MAX_CATEGORIES ? (
              <p className="hint">Showing the {MAX_CATEGORIES} largest groups.</p>
            ) : null}
          </>
        )}
      </div>
    </article>
  );
}
