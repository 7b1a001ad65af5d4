import { type Layout, verticalCompactor } from 'react-grid-layout';

import { GRID_COLUMNS, type WidgetPlacement } from './dashboard-store';

/** The ways to move or resize a widget from the keyboard, as menu actions. */
export type ArrangeAction =
  | 'move-up'
  | 'move-down'
  | 'move-left'
  | 'move-right'
  | 'wider'
  | 'narrower'
  | 'taller'
  | 'shorter';

/** Smallest widget, in grid units. */
export const MIN_W = 2;
export const MIN_H = 3;

export function plain(layout: Layout): WidgetPlacement[] {
  return layout.map(({ i, x, y, w, h }) => ({ i, x, y, w, h }));
}

function overlapsColumns(a: WidgetPlacement, b: WidgetPlacement): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w;
}

/**
 * Moves or resizes one widget by one step, as dragging would: other widgets
 * make room and the layout compacts upward. Up and down move the widget
 * past the nearest one above or below it.
 */
export function arrange(
  layout: readonly WidgetPlacement[],
  id: string,
  action: ArrangeAction,
): WidgetPlacement[] {
  const item = layout.find((candidate) => candidate.i === id);

  if (item === undefined) {
    return [...layout];
  }

  const others = layout.filter(
    (candidate) => candidate.i !== id && overlapsColumns(candidate, item),
  );
  /** Puts the item at row `y` and pushes every other widget from that row down by its height. */
  const insertAt = (y: number): Layout =>
    layout.map((candidate) =>
      candidate.i === id
        ? { ...candidate, y }
        : candidate.y >= y
          ? { ...candidate, y: candidate.y + item.h }
          : candidate,
    );
  let next: Layout = layout;

  switch (action) {
    case 'move-up': {
      const above = others.filter((candidate) => candidate.y < item.y).sort((a, b) => b.y - a.y)[0];

      if (above !== undefined) {
        next = insertAt(above.y);
      }

      break;
    }

    case 'move-down': {
      const below = others.filter((candidate) => candidate.y > item.y).sort((a, b) => a.y - b.y)[0];

      if (below !== undefined) {
        next = insertAt(below.y + below.h);
      }

      break;
    }

    case 'move-left':
    case 'move-right': {
      const x = Math.min(
        GRID_COLUMNS - item.w,
        Math.max(0, item.x + (action === 'move-left' ? -1 : 1)),
      );

      next = layout.map((candidate) => (candidate.i === id ? { ...candidate, x } : candidate));
      break;
    }

    default: {
      const w =
        action === 'wider'
          ? Math.min(GRID_COLUMNS - item.x, item.w + 1)
          : action === 'narrower'
            ? Math.max(MIN_W, item.w - 1)
            : item.w;
      const h =
        action === 'taller'
          ? item.h + 1
          : action === 'shorter'
            ? Math.max(MIN_H, item.h - 1)
            : item.h;

      next = layout.map((candidate) => (candidate.i === id ? { ...candidate, w, h } : candidate));
    }
  }

  return plain(verticalCompactor.compact(next, GRID_COLUMNS));
}

/** Returns whether two layouts place every widget the same. */
export function sameLayout(a: readonly WidgetPlacement[], b: readonly WidgetPlacement[]): boolean {
  const byId = new Map(b.map((item) => [item.i, item]));

  return (
    a.length === b.length &&
    a.every((item) => {
      const other = byId.get(item.i);

      return (
        other !== undefined &&
        other.x === item.x &&
        other.y === item.y &&
        other.w === item.w &&
        other.h === item.h
      );
    })
  );
}
