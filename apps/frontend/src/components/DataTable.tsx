import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';

/** Formats one cell: null shows as an empty marker, objects as JSON, bigints as digits. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) {
    return '∅';
  }

  if (typeof value === 'object') {
    return JSON.stringify(value);
  }

  return String(value as string | number | bigint | boolean);
}

/** Height of one body row in pixels before it is measured; rows do not wrap, so most keep it. */
const ESTIMATED_ROW_HEIGHT = 27;

/** Rows rendered above and below the visible ones, so keyboard scrolling and the sticky header never show a gap. */
const OVERSCAN_ROWS = 12;

/** Returns a rendered row's height, or the estimate where there is no layout (jsdom), where every height is 0. */
function measureRow(element: Element): number {
  const height = element.getBoundingClientRect().height;

  return height > 0 ? height : ESTIMATED_ROW_HEIGHT;
}

interface DataTableProps {
  caption: string;
  columns: readonly { name: string; type?: string }[];
  rows: readonly (readonly unknown[])[];
  /** Shown in place of the body when there are no rows. */
  empty?: string;
  testId?: string;
  /** Adds a first column with row numbers that start at this number (a page's offset plus 1, say). */
  firstRowNumber?: number;
}

/**
 * Renders result rows in a scrolling table with typed headers. Only the rows
 * in view and an overscan are in the DOM, so a result of many thousand rows
 * scrolls smoothly. The table sets `aria-rowcount` and `aria-rowindex`, so
 * screen readers announce the full size.
 */
export function DataTable({
  caption,
  columns,
  rows,
  empty = 'No rows.',
  testId,
  firstRowNumber,
}: DataTableProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ESTIMATED_ROW_HEIGHT,
    overscan: OVERSCAN_ROWS,
    measureElement: measureRow,
  });
  const items = virtualizer.getVirtualItems();
  const paddingTop = items.length > 0 ? items[0].start : 0;
  const paddingBottom =
    items.length > 0 ? virtualizer.getTotalSize() - items[items.length - 1].end : 0;
  const numbered = firstRowNumber !== undefined;
  const columnCount = Math.max(columns.length, 1) + (numbered ? 1 : 0);

  return (
    <div ref={scrollRef} className="table-scroll" tabIndex={0} role="region" aria-label={caption}>
      <table data-testid={testId} aria-rowcount={rows.length + 1}>
        <caption>{caption}</caption>
        <thead>
          <tr aria-rowindex={1}>
            {numbered ? (
              <th scope="col" className="number row-number">
                Row
              </th>
            ) : null}
            {columns.map((column, index) => (
              <th key={`${index}-${column.name}`} scope="col">
                {column.name}
                {column.type === undefined ? null : <span className="type"> {column.type}</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columnCount}>{empty}</td>
            </tr>
          ) : null}
          {/* Spacer rows stand in for the rows out of view; they exist only when they have a height. */}
          {paddingTop > 0 ? (
            <tr aria-hidden="true" className="spacer" style={{ height: paddingTop }}>
              <td colSpan={columnCount} />
            </tr>
          ) : null}
          {items.map((item) => (
            <tr
              key={item.key}
              ref={virtualizer.measureElement}
              data-index={item.index}
              aria-rowindex={item.index + 2}
            >
              {numbered ? (
                <th scope="row" className="number row-number">
                  {firstRowNumber + item.index}
                </th>
              ) : null}
              {rows[item.index].map((value, columnIndex) => (
                <td key={columnIndex} className={value === null ? 'null' : undefined}>
                  {formatCell(value)}
                </td>
              ))}
            </tr>
          ))}
          {paddingBottom > 0 ? (
            <tr aria-hidden="true" className="spacer" style={{ height: paddingBottom }}>
              <td colSpan={columnCount} />
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
