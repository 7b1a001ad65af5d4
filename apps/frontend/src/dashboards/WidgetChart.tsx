import { type EChartsCoreOption } from 'echarts/core';
import { useEffect, useRef } from 'react';

import { type WidgetType } from './dashboard-store';
import {
  alignSeries,
  formatBucket,
  formatValue,
  type Series,
  wallClockMillis,
} from './widget-query';

interface WidgetChartProps {
  type: Exclude<WidgetType, 'number' | 'table'>;
  /** Accessible name of the chart; the values table of the widget carries the numbers. */
  label: string;
  series: readonly Series[];
  /** The bucket interval when the points are time buckets (ISO times), null when they are categories. */
  interval: string | null;
  timezone: string;
}

function buildOption({ type, series, interval, timezone }: WidgetChartProps): EChartsCoreOption {
  const legend = series.length > 1;
  const grid = { left: 56, right: 16, top: legend ? 36 : 16, bottom: 32 };
  const tooltipValue = (value: unknown): string =>
    formatValue(typeof value === 'number' ? value : null);

  // Stacked areas need a value at every bucket, and no rows there count as 0.
  const aligned = alignSeries(series, interval !== null, type === 'area' ? 0 : null);
  const stack = type === 'area' ? { areaStyle: { opacity: 0.35 }, stack: 'total' } : {};

  if (type !== 'bar' && interval !== null) {
    const times = aligned.keys.map((bucket) => wallClockMillis(bucket, timezone));

    // Wall-clock times read as UTC, so the axis shows the dashboard's zone.
    return {
      animation: false,
      useUTC: true,
      grid,
      legend: legend ? { type: 'scroll', top: 0 } : undefined,
      tooltip: { trigger: 'axis', valueFormatter: tooltipValue },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', scale: type === 'line' },
      series: aligned.series.map((entry) => ({
        type: 'line',
        name: entry.name,
        showSymbol: times.length < 60,
        ...stack,
        data: entry.values.map((value, index) => [times[index], value]),
      })),
    };
  }

  const label = (category: string): string =>
    interval === null ? category : formatBucket(category, interval, timezone);

  return {
    animation: false,
    grid,
    legend: legend ? { type: 'scroll', top: 0 } : undefined,
    tooltip: { trigger: 'axis', valueFormatter: tooltipValue },
    xAxis: { type: 'category', data: aligned.keys.map(label) },
    yAxis: { type: 'value' },
    series: aligned.series.map((entry) => ({
      type: type === 'bar' ? 'bar' : 'line',
      name: entry.name,
      ...stack,
      data: entry.values,
    })),
  };
}

/** Renders a widget's series with ECharts, and follows the size of its grid cell. */
export function WidgetChart({ type, label, series, interval, timezone }: WidgetChartProps) {
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = container.current;

    if (element === null) {
      return;
    }

    let stopped = false;
    let stop = (): void => {
      stopped = true;
    };

    void import('./echarts-setup').then(({ echarts }) => {
      if (stopped) {
        return;
      }

      const chart = echarts.init(element);
      const observer = new ResizeObserver(() => chart.resize());

      chart.setOption(buildOption({ type, label, series, interval, timezone }));
      observer.observe(element);
      stop = () => {
        observer.disconnect();
        chart.dispose();
      };
    });

    return () => stop();
  }, [type, label, series, interval, timezone]);

  return (
    <div
      ref={container}
      className="widget-chart"
      role="img"
      aria-label={label}
      data-points={series.reduce((total, entry) => total + entry.points.length, 0)}
    />
  );
}
