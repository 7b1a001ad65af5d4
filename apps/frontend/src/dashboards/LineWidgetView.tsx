import { useEffect, useMemo, useState } from 'react';

import { apiJson } from '../api/client';
import { type QueryResult, type TableInfo } from '../api/types';
import { ErrorMessage } from '../components/ErrorMessage';
import { type LineWidget } from './dashboard-store';
import { LineChart } from './LineChart';

/** Names the widget's measure and bucket with the table's current column names. */
export function describeWidget(widget: LineWidget, table: TableInfo | undefined): string {
  const columnName = (id: string | null): string =>
    id === null
      ? ''
      : (table?.columns.find((column) => column.id === id)?.name ??
        'a column that no longer exists');
  const measure =
    widget.measure.columnId === null
      ? widget.measure.agg
      : `${widget.measure.agg} of ${columnName(widget.measure.columnId)}`;

  return `${measure} per ${widget.timeBucket.interval} of ${columnName(widget.timeBucket.columnId)} in ${table?.name ?? 'a missing table'}`;
}

function formatValue(value: number | null): string {
  return value === null ? '∅' : value.toLocaleString('en', { maximumFractionDigits: 2 });
}

interface LineWidgetViewProps {
  widget: LineWidget;
  table: TableInfo | undefined;
  timezone: string;
  onRemove: () => void;
}

/** Runs the widget's `/api/sql/widget-query` and shows the line chart with its values as a table. */
export function LineWidgetView({ widget, table, timezone, onRemove }: LineWidgetViewProps) {
  const [result, setResult] = useState<QueryResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const query = useMemo(
    () => ({
      table: widget.tableId,
      measures: [
        {
          ...(widget.measure.columnId === null ? {} : { column: widget.measure.columnId }),
          agg: widget.measure.agg,
          as: 'value',
        },
      ],
      timeBucket: {
        column: widget.timeBucket.columnId,
        interval: widget.timeBucket.interval,
        timezone,
      },
      orderBy: [{ column: 'bucket', dir: 'asc' }],
    }),
    [widget, timezone],
  );

  useEffect(() => {
    const controller = new AbortController();

    apiJson<QueryResult>('/api/sql/widget-query', { body: query, signal: controller.signal }).then(
      (loaded) => {
        setResult(loaded);
        setError(null);
      },
      (caught: unknown) => {
        if (!controller.signal.aborted) {
          setError(caught);
        }
      },
    );

    return () => controller.abort();
  }, [query]);

  const points = useMemo(
    () =>
      (result?.rows ?? []).map(
        (row) => [String(row[0]), row[1] === null ? null : Number(row[1])] as const,
      ),
    [result],
  );
  const description = describeWidget(widget, table);

  return (
    <article className="widget" aria-labelledby={`widget-${widget.id}`} data-testid="widget">
      <header>
        <h3 id={`widget-${widget.id}`}>{widget.title}</h3>
        <button type="button" onClick={onRemove} aria-label={`Remove widget ${widget.title}`}>
          Remove
        </button>
      </header>
      <p className="help">{description}</p>
      <ErrorMessage error={error} context="The widget's query failed" />
      {result === null ? (
        error === null ? (
          <p role="status">Loading…</p>
        ) : null
      ) : (
        <>
          <LineChart
            label={`Line chart: ${description}`}
            points={points}
            seriesName={widget.title}
          />
          {result.truncated ? (
            <p className="hint">Truncated: the row limit applied, so later buckets are missing.</p>
          ) : null}
          <details>
            <summary>Values ({points.length} buckets)</summary>
            <div
              className="table-scroll small"
              tabIndex={0}
              role="region"
              aria-label={`Values of ${widget.title}`}
            >
              <table data-testid="widget-values">
                <thead>
                  <tr>
                    <th scope="col">Bucket (UTC)</th>
                    <th scope="col">Value</th>
                  </tr>
                </thead>
                <tbody>
                  {points.map(([bucket, value]) => (
                    <tr key={bucket}>
                      <td>{bucket}</td>
                      <td className="number" data-value={value ?? ''}>
                        {formatValue(value)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </article>
  );
}
