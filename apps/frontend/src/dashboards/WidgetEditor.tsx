import { type FormEvent, useState } from 'react';
import { Button, Dialog, Heading, Modal, ModalOverlay } from 'react-aria-components';

import { type TableColumn, type TableInfo } from '../api/types';
import { SelectField, TextInputField } from './controls';
import {
  AGGREGATIONS,
  type Aggregation,
  FILTER_OPS,
  type FilterOp,
  randomId,
  TIME_BUCKETS,
  type Widget,
  type WidgetFilter,
  WIDGET_TYPES,
  type WidgetType,
} from './dashboard-store';
import { widgetTitle } from './widget-query';

const TIME_TYPES = new Set(['date', 'timestamp', 'timestamptz']);
const NUMERIC_TYPES = new Set(['integer', 'float', 'numeric']);
const NONE = '-';

const TYPE_LABELS: Record<WidgetType, string> = {
  line: 'Line chart',
  bar: 'Bar chart',
  area: 'Area chart',
  number: 'Number',
  table: 'Table',
};

const AGG_LABELS: Record<Aggregation, string> = {
  avg: 'Average (avg)',
  sum: 'Sum (sum)',
  min: 'Minimum (min)',
  max: 'Maximum (max)',
  count: 'Count of rows (count)',
  count_distinct: 'Count of distinct values (count_distinct)',
};

const OP_LABELS: Record<FilterOp, string> = {
  '=': 'equals (=)',
  '!=': 'differs from (!=)',
  '<': 'less than (<)',
  '<=': 'at most (<=)',
  '>': 'greater than (>)',
  '>=': 'at least (>=)',
  in: 'is one of (in)',
  between: 'is between (between)',
  is_null: 'is empty (is_null)',
  not_null: 'is not empty (not_null)',
  contains: 'contains (contains)',
};

/** Columns an aggregation accepts: numbers for avg and sum, numbers and times for min and max, any for counts. */
function measureColumns(table: TableInfo | undefined, agg: Aggregation): TableColumn[] {
  return (table?.columns ?? []).filter((column) =>
    agg === 'avg' || agg === 'sum'
      ? NUMERIC_TYPES.has(column.type)
      : agg === 'min' || agg === 'max'
        ? NUMERIC_TYPES.has(column.type) || TIME_TYPES.has(column.type)
        : true,
  );
}

interface FormState {
  type: WidgetType;
  tableId: string;
  agg: Aggregation;
  measureId: string;
  timeId: string;
  interval: string;
  groupById: string;
  filters: WidgetFilter[];
  title: string;
}

function initialState(widget: Widget | null, tables: readonly TableInfo[]): FormState {
  if (widget === null) {
    const table = tables[0];

    return {
      type: 'line',
      tableId: table?.id ?? '',
      agg: 'avg',
      measureId: '',
      timeId: table?.columns.find((column) => TIME_TYPES.has(column.type))?.id ?? NONE,
      interval: '1 month',
      groupById: NONE,
      filters: [],
      title: '',
    };
  }

  return {
    type: widget.type,
    tableId: widget.tableId,
    agg: widget.measure.agg,
    measureId: widget.measure.columnId ?? NONE,
    timeId: widget.timeBucket?.columnId ?? NONE,
    interval: widget.timeBucket?.interval ?? '1 month',
    groupById: widget.groupByColumnId ?? NONE,
    filters: widget.filters,
    title: widget.title,
  };
}

/** Checks a filled-in form and returns the widget, or a sentence that names what is missing. */
function toWidget(
  state: FormState,
  table: TableInfo | undefined,
  id: string,
): Widget | { problem: string } {
  if (table === undefined) {
    return { problem: 'Choose a table.' };
  }

  const columns = new Set(table.columns.map((column) => column.id));
  const measureOk =
    (state.agg === 'count' && state.measureId === NONE) ||
    measureColumns(table, state.agg).some((column) => column.id === state.measureId);

  if (!measureOk) {
    return { problem: `Choose a measure column that ${state.agg} accepts.` };
  }

  const chartsTime = state.type === 'line' || state.type === 'area';
  const timeId = state.type === 'number' || !columns.has(state.timeId) ? NONE : state.timeId;

  if (chartsTime && timeId === NONE) {
    return {
      problem: `A ${TYPE_LABELS[state.type].toLowerCase()} needs a time column: choose one, or pick a bar chart, number or table.`,
    };
  }

  for (const [index, filter] of state.filters.entries()) {
    const values = Array.isArray(filter.value) ? filter.value : [filter.value ?? ''];

    if (!columns.has(filter.columnId)) {
      return { problem: `Choose the column of filter ${index + 1}.` };
    }

    if (
      filter.op !== 'is_null' &&
      filter.op !== 'not_null' &&
      values.some((value) => value.trim() === '')
    ) {
      return { problem: `Fill in the value of filter ${index + 1}.` };
    }
  }

  const measure = state.measureId === NONE ? null : state.measureId;

  return {
    id,
    type: state.type,
    title: state.title.trim(),
    tableId: table.id,
    measure: { columnId: measure, agg: state.agg },
    timeBucket: timeId === NONE ? null : { columnId: timeId, interval: state.interval },
    groupByColumnId:
      state.type === 'number' || !columns.has(state.groupById) ? null : state.groupById,
    filters: state.filters.map((filter) => ({
      ...filter,
      value:
        filter.op === 'is_null' || filter.op === 'not_null'
          ? undefined
          : Array.isArray(filter.value)
            ? filter.value.map((value) => value.trim())
            : (filter.value ?? '').trim(),
    })),
  };
}

function FilterRow({
  index,
  filter,
  table,
  onChange,
  onRemove,
}: {
  index: number;
  filter: WidgetFilter;
  table: TableInfo | undefined;
  onChange: (filter: WidgetFilter) => void;
  onRemove: () => void;
}) {
  const number = index + 1;
  const setOp = (op: FilterOp): void => {
    const previous = Array.isArray(filter.value) ? filter.value : [filter.value ?? ''];

    onChange({
      ...filter,
      op,
      value:
        op === 'between'
          ? [previous[0] ?? '', previous[1] ?? '']
          : op === 'in'
            ? previous.filter((value) => value !== '')
            : previous[0],
    });
  };

  return (
    <fieldset className="filter-row">
      <legend>Filter {number}</legend>
      <SelectField
        label={`Filter ${number} column`}
        value={filter.columnId}
        options={(table?.columns ?? []).map((column) => ({ id: column.id, label: column.name }))}
        onChange={(columnId) => onChange({ ...filter, columnId })}
      />
      <SelectField
        label={`Filter ${number} operator`}
        value={filter.op}
        options={FILTER_OPS.map((op) => ({ id: op, label: OP_LABELS[op] }))}
        onChange={(op) => setOp(op as FilterOp)}
      />
      {filter.op === 'is_null' || filter.op === 'not_null' ? null : filter.op === 'between' ? (
        <>
          <TextInputField
            label={`Filter ${number} from`}
            value={Array.isArray(filter.value) ? (filter.value[0] ?? '') : ''}
            onChange={(low) =>
              onChange({
                ...filter,
                value: [low, Array.isArray(filter.value) ? (filter.value[1] ?? '') : ''],
              })
            }
          />
          <TextInputField
            label={`Filter ${number} to`}
            value={Array.isArray(filter.value) ? (filter.value[1] ?? '') : ''}
            onChange={(high) =>
              onChange({
                ...filter,
                value: [Array.isArray(filter.value) ? (filter.value[0] ?? '') : '', high],
              })
            }
          />
        </>
      ) : filter.op === 'in' ? (
        <TextInputField
          label={`Filter ${number} values`}
          description="Separate the values with commas."
          value={Array.isArray(filter.value) ? filter.value.join(',') : (filter.value ?? '')}
          onChange={(text) => onChange({ ...filter, value: text.split(',') })}
        />
      ) : (
        <TextInputField
          label={`Filter ${number} value`}
          value={Array.isArray(filter.value) ? filter.value.join(',') : (filter.value ?? '')}
          onChange={(value) => onChange({ ...filter, value })}
        />
      )}
      <Button className="secondary" onPress={onRemove} aria-label={`Remove filter ${number}`}>
        Remove
      </Button>
    </fieldset>
  );
}

/**
 * Renders the modal form that adds a widget (`widget` null) or changes one:
 * type, table, aggregation and measure, time bucket, group-by and filters.
 */
export function WidgetEditor({
  widget,
  tables,
  onSave,
  onClose,
}: {
  widget: Widget | null;
  tables: readonly TableInfo[];
  onSave: (widget: Widget) => void;
  onClose: () => void;
}) {
  const [state, setState] = useState<FormState>(() => initialState(widget, tables));
  const [problem, setProblem] = useState<string | null>(null);
  const table = tables.find((candidate) => candidate.id === state.tableId);
  const measures = measureColumns(table, state.agg);
  const timeColumns = (table?.columns ?? []).filter((column) => TIME_TYPES.has(column.type));
  const set = (change: Partial<FormState>): void => {
    setProblem(null);
    setState((current) => ({ ...current, ...change }));
  };

  const heading =
    widget === null
      ? 'Add a widget'
      : `Edit widget ${widgetTitle(
          widget,
          tables.find((item) => item.id === widget.tableId),
        )}`;

  const submit = (event: FormEvent): void => {
    event.preventDefault();

    const result = toWidget(state, table, widget?.id ?? randomId());

    if ('problem' in result) {
      setProblem(result.problem);
    } else {
      onSave(result);
    }
  };

  return (
    <ModalOverlay
      className="modal-overlay"
      isOpen
      isDismissable
      onOpenChange={(open) => {
        if (!open) {
          onClose();
        }
      }}
    >
      <Modal className="modal wide">
        <Dialog className="dialog">
          <form className="widget-editor" onSubmit={submit}>
            <Heading slot="title">{heading}</Heading>
            <div className="editor-grid">
              <SelectField
                label="Widget type"
                value={state.type}
                options={WIDGET_TYPES.map((type) => ({ id: type, label: TYPE_LABELS[type] }))}
                onChange={(type) => set({ type: type as WidgetType })}
              />
              <SelectField
                label="Table"
                value={state.tableId}
                options={tables.map((candidate) => ({ id: candidate.id, label: candidate.name }))}
                onChange={(tableId) => {
                  const next = tables.find((candidate) => candidate.id === tableId);

                  set({
                    tableId,
                    measureId: '',
                    timeId: next?.columns.find((column) => TIME_TYPES.has(column.type))?.id ?? NONE,
                    groupById: NONE,
                    filters: [],
                  });
                }}
              />
              <SelectField
                label="Aggregation"
                value={state.agg}
                options={AGGREGATIONS.map((agg) => ({ id: agg, label: AGG_LABELS[agg] }))}
                onChange={(agg) =>
                  set({ agg: agg as Aggregation, measureId: agg === 'count' ? NONE : '' })
                }
              />
              <SelectField
                label="Measure column"
                value={state.measureId}
                options={[
                  ...(state.agg === 'count' ? [{ id: NONE, label: '(all rows)' }] : []),
                  ...measures.map((column) => ({
                    id: column.id,
                    label: `${column.name} (${column.type})`,
                  })),
                ]}
                onChange={(measureId) => set({ measureId })}
                description={
                  state.agg === 'avg' || state.agg === 'sum' ? 'Number columns only.' : undefined
                }
              />
              {state.type === 'number' ? null : (
                <>
                  <SelectField
                    label="Time column"
                    value={state.timeId}
                    options={[
                      ...(state.type === 'line' || state.type === 'area'
                        ? []
                        : [{ id: NONE, label: '(no time bucket)' }]),
                      ...timeColumns.map((column) => ({ id: column.id, label: column.name })),
                    ]}
                    onChange={(timeId) => set({ timeId })}
                    description={
                      timeColumns.length === 0
                        ? 'This table has no date or time column: use a bar chart, number or table.'
                        : undefined
                    }
                  />
                  <SelectField
                    label="Time bucket"
                    value={state.interval}
                    options={TIME_BUCKETS.map((bucket) => ({ id: bucket, label: bucket }))}
                    onChange={(interval) => set({ interval })}
                    isDisabled={state.timeId === NONE}
                  />
                  <SelectField
                    label="Group by"
                    value={state.groupById}
                    options={[
                      { id: NONE, label: '(no grouping)' },
                      ...(table?.columns ?? []).map((column) => ({
                        id: column.id,
                        label: column.name,
                      })),
                    ]}
                    onChange={(groupById) => set({ groupById })}
                    description="One series, bar or row per value of this column."
                  />
                </>
              )}
              <TextInputField
                label="Title (optional)"
                value={state.title}
                onChange={(title) => set({ title })}
                description="Left empty, the title follows the column names, renames included."
              />
            </div>
            <h3>Filters</h3>
            {state.filters.length === 0 ? (
              <p className="hint">No filters: the widget uses every row.</p>
            ) : null}
            {state.filters.map((filter, index) => (
              <FilterRow
                key={index}
                index={index}
                filter={filter}
                table={table}
                onChange={(changed) =>
                  set({
                    filters: state.filters.map((item, position) =>
                      position === index ? changed : item,
                    ),
                  })
                }
                onRemove={() =>
                  set({ filters: state.filters.filter((_, position) => position !== index) })
                }
              />
            ))}
            <Button
              className="secondary"
              isDisabled={table === undefined || table.columns.length === 0}
              onPress={() =>
                set({
                  filters: [
                    ...state.filters,
                    { columnId: table?.columns[0]?.id ?? '', op: '=', value: '' },
                  ],
                })
              }
            >
              Add filter
            </Button>
            {problem === null ? null : (
              <p className="error" role="alert">
                {problem}
              </p>
            )}
            <div className="dialog-actions">
              <Button className="secondary" onPress={onClose}>
                Cancel
              </Button>
              <Button type="submit">{widget === null ? 'Add widget' : 'Apply changes'}</Button>
            </div>
          </form>
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}
