export const WIDGET_AGGREGATES = ['count', 'sum', 'avg', 'min', 'max', 'count_distinct'] as const;
export const WIDGET_FILTER_OPS = ['=', '!=', '<', '<=', '>', '>=', 'in', 'between', 'is_null', 'not_null', 'contains'] as const;

export type WidgetAggregate = (typeof WIDGET_AGGREGATES)[number];
export type WidgetFilterOp = (typeof WIDGET_FILTER_OPS)[number];

/** A scalar filter value; `in` takes an array of them and `between` a pair. */
export type WidgetScalar = string | number | boolean;

/** A column is named by its logical name or its column id (`f_<8 hex>`), which survives renames. */
export interface WidgetMeasure {
  column?: string;
  agg: WidgetAggregate;
  as?: string;
}

export interface WidgetTimeBucket {
  column: string;
  /** `<n> <unit>`, unit one of second, minute, hour, day, week, month, year (plural allowed). */
  interval: string;
  /** IANA time zone of day-or-longer buckets; UTC when absent. */
  timezone?: string;
}

export interface WidgetFilter {
  column: string;
  op: WidgetFilterOp;
  value?: WidgetScalar | readonly WidgetScalar[] | null;
}

export interface WidgetOrder {
  /** An output column: `bucket`, a dimension or a measure's output name. */
  column: string;
  dir?: 'asc' | 'desc';
}

/** The structured query of a dashboard widget. */
export interface WidgetQuery {
  /** Logical name or table id (`t_<32 hex>`). */
  table: string;
  measures: readonly WidgetMeasure[];
  dimensions?: readonly string[];
  timeBucket?: WidgetTimeBucket;
  filters?: readonly WidgetFilter[];
  orderBy?: readonly WidgetOrder[];
  limit?: number;
}
