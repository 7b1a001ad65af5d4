import { describe, expect, it } from '@jest/globals';

import { type TableInfo } from '../api/types';
import { completeLayout, normalizeDashboard, type Widget } from './dashboard-store';
import { arrange } from './grid-arrange';
import {
  alignSeries,
  buildWidgetQuery,
  describeWidget,
  formatBucket,
  readWidgetRows,
  toSeries,
  wallClockMillis,
  widgetTitle,
} from './widget-query';

const table: TableInfo = {
  id: 't_0123456789abcdef0123456789abcdef',
  name: 'weather',
  columns: [
    { id: 'f_00000001', name: 'date', type: 'date' },
    { id: 'f_00000002', name: 'temp_max', type: 'float' },
    { id: 'f_00000003', name: 'kind', type: 'text' },
  ],
  rowCount: 3,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
};

function widget(change: Partial<Widget> = {}): Widget {
  return {
    id: 'w1',
    type: 'line',
    title: '',
    tableId: table.id,
    measure: { columnId: 'f_00000002', agg: 'avg' },
    timeBucket: { columnId: 'f_00000001', interval: '1 month' },
    groupByColumnId: null,
    filters: [],
    ...change,
  };
}

describe('buildWidgetQuery', () => {
  it('names the table and columns by id and passes the time zone', () => {
    expect(buildWidgetQuery(widget(), table, 'Europe/Berlin')).toEqual({
      table: table.id,
      measures: [{ column: 'f_00000002', agg: 'avg', as: 'value' }],
      timeBucket: { column: 'f_00000001', interval: '1 month', timezone: 'Europe/Berlin' },
      orderBy: [{ column: 'bucket', dir: 'asc' }],
    });
  });

  it('orders bars per group by value and caps them, and sends the filters', () => {
    const query = buildWidgetQuery(
      widget({
        type: 'bar',
        timeBucket: null,
        groupByColumnId: 'f_00000003',
        measure: { columnId: null, agg: 'count' },
        filters: [
          { columnId: 'f_00000002', op: 'between', value: ['1', '5'] },
          { columnId: 'f_00000003', op: 'not_null', value: 'ignored' },
        ],
      }),
      table,
      'UTC',
    );

    expect(query).toEqual({
      table: table.id,
      measures: [{ agg: 'count', as: 'value' }],
      dimensions: ['f_00000003'],
      filters: [
        { column: 'f_00000002', op: 'between', value: ['1', '5'] },
        { column: 'f_00000003', op: 'not_null' },
      ],
      orderBy: [{ column: 'value', dir: 'desc' }],
      limit: 50,
    });
  });

  it('picks a measure name that no column has', () => {
    const withValue = {
      ...table,
      columns: [...table.columns, { id: 'f_00000004', name: 'value', type: 'integer' as const }],
    };

    expect(buildWidgetQuery(widget(), withValue, 'UTC').measures[0].as).toBe('value_1');
  });

  it('leaves bucket and group out of a number', () => {
    const query = buildWidgetQuery(
      widget({ type: 'number', groupByColumnId: 'f_00000003' }),
      table,
      'UTC',
    );

    expect(query.timeBucket).toBeUndefined();
    expect(query.dimensions).toBeUndefined();
  });
});

describe('reading results', () => {
  it('reads bucket, group and value by position and splits series per group', () => {
    const grouped = widget({ groupByColumnId: 'f_00000003' });
    const rows = readWidgetRows(grouped, {
      columns: [],
      rows: [
        ['2012-01-01T00:00:00Z', 'rain', 3.5],
        ['2012-01-01T00:00:00Z', null, '7'],
        ['2012-02-01T00:00:00Z', 'rain', null],
      ],
      rowCount: 3,
      truncated: false,
    });

    expect(rows).toEqual([
      { bucket: '2012-01-01T00:00:00Z', group: 'rain', value: 3.5 },
      { bucket: '2012-01-01T00:00:00Z', group: '∅', value: 7 },
      { bucket: '2012-02-01T00:00:00Z', group: 'rain', value: null },
    ]);
    expect(toSeries(rows, 'Max')).toEqual([
      {
        name: 'rain',
        points: [
          ['2012-01-01T00:00:00Z', 3.5],
          ['2012-02-01T00:00:00Z', null],
        ],
      },
      { name: '∅', points: [['2012-01-01T00:00:00Z', 7]] },
    ]);
  });

  it('aligns series on buckets in time order', () => {
    const aligned = alignSeries(
      [
        {
          name: 'rain',
          points: [
            ['2013-01-01T00:00:00Z', 2],
            ['2015-01-01T00:00:00Z', 4],
          ],
        },
        {
          name: 'snow',
          points: [
            ['2014-01-01T00:00:00Z', 1],
            ['2013-01-01T00:00:00Z', 3],
          ],
        },
      ],
      true,
      0,
    );

    expect(aligned.keys).toEqual([
      '2013-01-01T00:00:00Z',
      '2014-01-01T00:00:00Z',
      '2015-01-01T00:00:00Z',
    ]);
    expect(aligned.series).toEqual([
      { name: 'rain', values: [2, 0, 4] },
      { name: 'snow', values: [3, 1, 0] },
    ]);
    expect(
      alignSeries(
        [
          {
            name: 'x',
            points: [
              ['b', 1],
              ['a', null],
            ],
          },
        ],
        false,
        null,
      ),
    ).toEqual({
      keys: ['b', 'a'],
      series: [{ name: 'x', values: [1, null] }],
    });
  });

  it('makes one series of categories when there is no bucket', () => {
    const rows = [
      { bucket: null, group: 'rain', value: 5 },
      { bucket: null, group: 'sun', value: 2 },
    ];

    expect(toSeries(rows, 'count')).toEqual([
      {
        name: 'count',
        points: [
          ['rain', 5],
          ['sun', 2],
        ],
      },
    ]);
  });
});

describe('describeWidget', () => {
  it('uses the current column names, so a rename shows at once', () => {
    const filtered = widget({
      groupByColumnId: 'f_00000003',
      filters: [{ columnId: 'f_00000003', op: 'in', value: ['rain', 'sun'] }],
    });
    const renamed = {
      ...table,
      columns: table.columns.map((column) =>
        column.id === 'f_00000002' ? { ...column, name: 'max_temp' } : column,
      ),
    };

    expect(describeWidget(filtered, renamed)).toBe(
      'avg of max_temp per 1 month of date by kind in weather where kind is one of rain, sun',
    );
    expect(describeWidget(filtered, undefined)).toContain('a column that no longer exists');
    expect(widgetTitle(filtered, renamed)).toBe('avg of max_temp per 1 month');
    expect(widgetTitle({ ...filtered, title: 'Warmest' }, renamed)).toBe('Warmest');
    expect(
      widgetTitle(widget({ type: 'number', measure: { columnId: null, agg: 'count' } }), table),
    ).toBe('count of rows');
  });
});

describe('bucket times in the display time zone', () => {
  it('shows a month that starts at local midnight as that month', () => {
    // January 2012 in Berlin starts at 23:00 UTC on 31 December.
    expect(formatBucket('2011-12-31T23:00:00Z', '1 month', 'Europe/Berlin')).toBe('2012-01');
    expect(formatBucket('2011-12-31T23:00:00Z', '1 month', 'UTC')).toBe('2011-12');
    expect(formatBucket('2012-03-25T01:00:00Z', '1 hour', 'Europe/Berlin')).toBe(
      '2012-03-25 03:00',
    );
    expect(formatBucket('2012-03-25T00:00:00Z', '1 day', 'UTC')).toBe('2012-03-25');
  });

  it('turns an instant into its wall-clock time read as UTC', () => {
    expect(new Date(wallClockMillis('2011-12-31T23:00:00Z', 'Europe/Berlin')).toISOString()).toBe(
      '2012-01-01T00:00:00.000Z',
    );
  });
});

describe('dashboard documents and layout', () => {
  it('reads a dashboard saved before layouts and widget types', () => {
    const dashboard = normalizeDashboard({
      title: 'Old',
      timezone: 'UTC',
      widgets: [
        {
          id: 'a',
          type: 'line',
          title: 'Max',
          tableId: table.id,
          measure: { columnId: 'f_00000002', agg: 'avg' },
          timeBucket: { columnId: 'f_00000001', interval: '1 month' },
        },
        { id: 'b', type: 'line', title: 'Count', tableId: table.id, measure: { agg: 'count' } },
        { title: 'no id' },
      ],
    });

    expect(dashboard.widgets.map((item) => [item.id, item.groupByColumnId, item.filters])).toEqual([
      ['a', null, []],
      ['b', null, []],
    ]);
    expect(dashboard.widgets[1].timeBucket).toBeNull();
    expect(dashboard.layout).toEqual([
      { i: 'a', x: 0, y: 0, w: 6, h: 9 },
      { i: 'b', x: 6, y: 0, w: 6, h: 9 },
    ]);
  });

  it('puts a new widget in the first free spot', () => {
    const widgets = [widget({ id: 'a' }), widget({ id: 'b', type: 'number' })];

    expect(completeLayout(widgets, [{ i: 'a', x: 0, y: 0, w: 12, h: 4 }])).toEqual([
      { i: 'a', x: 0, y: 0, w: 12, h: 4 },
      { i: 'b', x: 0, y: 4, w: 3, h: 4 },
    ]);
  });

  it('moves and resizes a widget one step from the keyboard', () => {
    const layout = [
      { i: 'a', x: 0, y: 0, w: 6, h: 4 },
      { i: 'b', x: 0, y: 4, w: 6, h: 4 },
    ];
    const up = arrange(layout, 'b', 'move-up');

    expect(up.find((item) => item.i === 'b')).toMatchObject({ y: 0 });
    expect(up.find((item) => item.i === 'a')).toMatchObject({ y: 4 });
    expect(arrange(layout, 'a', 'move-down')).toEqual([
      { i: 'a', x: 0, y: 4, w: 6, h: 4 },
      { i: 'b', x: 0, y: 0, w: 6, h: 4 },
    ]);
    expect(arrange(layout, 'a', 'move-right').find((item) => item.i === 'a')).toMatchObject({
      x: 1,
    });
    expect(arrange(layout, 'a', 'wider').find((item) => item.i === 'a')).toMatchObject({ w: 7 });
    expect(
      arrange([{ i: 'a', x: 6, y: 0, w: 6, h: 4 }], 'a', 'wider').find((item) => item.i === 'a'),
    ).toMatchObject({ w: 6 });
  });
});
