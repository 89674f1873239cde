import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatDate } from '../dates';
import { EarningsSeries } from '../graphql/types';
import { formatAmount } from '../money';

const chartHeightPx = 220;

/** Lifetime earned and paid out over time, from earningsHistory. */
export function EarningsChart({ series }: { series: EarningsSeries | undefined }) {
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = container.current;
    if (!element || !series || series.points.length === 0) return;
    const unit = series.unit;
    // Numbers here only place points on the canvas; every figure shown as text comes from the decimal strings.
    const data: uPlot.AlignedData = [
      series.points.map((point) => Date.parse(point.at) / 1000),
      series.points.map((point) => Number(point.lifetime)),
      series.points.map((point) => Number(point.paidOut)),
    ];
    const plot = new uPlot(
      {
        width: element.clientWidth,
        height: chartHeightPx,
        cursor: { drag: { x: false, y: false } },
        legend: { show: true, live: false },
        axes: [
          { stroke: '#5b6472', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#eef0f3' } },
          { stroke: '#5b6472', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#eef0f3' }, size: 64, values: (_plot, ticks) => ticks.map((tick) => formatAmount(String(tick), unit)) },
        ],
        series: [
          {},
          { label: 'Lifetime earned', stroke: '#0f766e', width: 2, fill: 'rgba(15, 118, 110, 0.10)', points: { show: false } },
          { label: 'Paid out', stroke: '#4f46e5', width: 2, dash: [6, 4], points: { show: false } },
        ],
      },
      data,
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: element.clientWidth, height: chartHeightPx }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [series]);

  const first = series?.points[0];
  const last = series?.points[series.points.length - 1];
  return (
    <section className="panel panel-wide" aria-labelledby="chart-title">
      <h2 id="chart-title">Earnings over time</h2>
      {!series || !first || !last ? (
        <p className="muted">Your earnings chart appears after your first purchase.</p>
      ) : (
        <>
          <p className="visually-hidden" data-testid="chart-summary">
            From {formatDate(first.at)} to {formatDate(last.at)}, lifetime earnings went from {formatAmount(first.lifetime, series.unit)} to {formatAmount(last.lifetime, series.unit)} and
            paid out from {formatAmount(first.paidOut, series.unit)} to {formatAmount(last.paidOut, series.unit)}.
          </p>
          <div ref={container} className="chart" aria-hidden="true" data-testid="earnings-chart" />
        </>
      )}
    </section>
  );
}
