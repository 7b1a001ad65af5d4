import 'react-grid-layout/css/styles.css';

import { GridLayout, type Layout, useContainerWidth } from 'react-grid-layout';

import { type TableInfo } from '../api/types';
import { GRID_COLUMNS, type Widget, type WidgetPlacement } from './dashboard-store';
import { arrange, MIN_H, MIN_W, plain, sameLayout } from './grid-arrange';
import { WidgetView } from './WidgetView';

/** Returns a widget's place and size as "x,y,w,h", which the browser test reads. */
function placement(layout: readonly WidgetPlacement[], id: string): string {
  const item = layout.find((candidate) => candidate.i === id);

  return item === undefined ? '' : `${item.x},${item.y},${item.w},${item.h}`;
}

/**
 * Lays the widgets out on a 12-column grid. Drag a widget by its title and
 * resize it by its corner, or use its menu from the keyboard.
 */
export function DashboardGrid({
  widgets,
  layout,
  tables,
  timezone,
  onLayoutChange,
  onEdit,
  onRemove,
}: {
  widgets: readonly Widget[];
  layout: readonly WidgetPlacement[];
  tables: readonly TableInfo[] | null;
  timezone: string;
  onLayoutChange: (layout: WidgetPlacement[]) => void;
  onEdit: (widget: Widget) => void;
  onRemove: (widget: Widget) => void;
}) {
  const { width, containerRef, mounted } = useContainerWidth();
  const gridLayout = layout.map((item) => ({ ...item, minW: MIN_W, minH: MIN_H }));
  const commit = (next: Layout): void => {
    const placed = plain(next);

    if (!sameLayout(placed, layout)) {
      onLayoutChange(placed);
    }
  };

  return (
    <div ref={containerRef} className="dashboard-grid" data-testid="dashboard-grid">
      {mounted ? (
        <GridLayout
          width={width}
          layout={gridLayout}
          gridConfig={{ cols: GRID_COLUMNS, rowHeight: 36, margin: [12, 12] }}
          dragConfig={{ handle: '.widget-drag-handle', cancel: 'button' }}
          resizeConfig={{ handles: ['se'] }}
          onDragStop={(next) => commit(next)}
          onResizeStop={(next) => commit(next)}
        >
          {widgets.map((widget) => (
            <div
              key={widget.id}
              className="grid-cell"
              data-widget-id={widget.id}
              data-placement={placement(layout, widget.id)}
            >
              <WidgetView
                widget={widget}
                table={tables?.find((table) => table.id === widget.tableId)}
                timezone={timezone}
                onEdit={() => onEdit(widget)}
                onRemove={() => onRemove(widget)}
                onArrange={(action) => onLayoutChange(arrange(layout, widget.id, action))}
              />
            </div>
          ))}
        </GridLayout>
      ) : null}
    </div>
  );
}
