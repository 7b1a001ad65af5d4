import { LineChart as EChartsLine } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([EChartsLine, GridComponent, TooltipComponent, CanvasRenderer]);

interface LineChartProps {
  /** Accessible name of the chart; the data table beside it carries the values. */
  label: string;
  points: readonly (readonly [string, number | null])[];
  seriesName: string;
}

/** Renders an ECharts line chart over time. */
export function LineChart({ label, points, seriesName }: LineChartProps) {
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (container.current === null) {
      return;
    }

    const chart = echarts.init(container.current);
    const resize = (): void => chart.resize();

    chart.setOption({
      animation: false,
      grid: { left: 48, right: 16, top: 16, bottom: 32 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', scale: true },
      series: [
        {
          type: 'line',
          name: seriesName,
          showSymbol: false,
          data: points.map(([time, value]) => [time, value]),
        },
      ],
    });
    window.addEventListener('resize', resize);

    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [points, seriesName]);

  return (
    <div
      ref={container}
      className="chart"
      role="img"
      aria-label={label}
      data-points={points.length}
    />
  );
}
