/**
 * Counts per time bucket, one chart per series stacked in one figure over
 * the same time axis: each series keeps its own y axis and unit (requests
 * and live broadcasts are not on one scale), and the bucket size is said
 * in the y label. Each bar's <title> gives its bucket and exact count.
 */
import * as Plot from '@observablehq/plot';
import { formatDuration } from '../../../reference/shared/duration.ts';
import { emptyFigure, figure } from './figure.ts';
import { plotSvg } from './plot-svg.ts';
import { num, timeUnitFor } from './units.ts';

export interface TimelineSeries {
  name: string;
  /** What one value counts, in the plural: "requests". */
  unit: string;
  values: readonly number[];
  color: string;
  /** A level read at each bucket's end (live broadcasts) rather than a count within it (requests). */
  sampled?: boolean;
}

export function timelineChart(title: string, bucketMs: number, series: readonly TimelineSeries[]): string {
  const drawn = series.filter((s) => s.values.length > 0);
  if (drawn.length === 0) return emptyFigure(title, 'no time buckets recorded');
  const buckets = Math.max(...drawn.map((s) => s.values.length));
  const unit = timeUnitFor(buckets * bucketMs);
  const bucket = formatDuration(bucketMs);
  const yLabel = (s: TimelineSeries): string => (s.sampled ? `${s.unit} at the end of each ${bucket} bucket` : `${s.unit} per ${bucket} bucket`);
  const charts = drawn.map((s) => {
    const bars = s.values.map((count, i) => ({ x1: (i * bucketMs) / unit.ms, x2: ((i + 1) * bucketMs) / unit.ms, count }));
    return plotSvg({ key: `${title} ${s.name}`, svgClass: 'chart timeline', markClasses: ['bar'] }, {
      width: 560,
      height: 200,
      marginLeft: 56,
      marginBottom: 40,
      style: { fontSize: '11px' },
      x: { label: `virtual time since start (${unit.name})`, labelAnchor: 'center', labelArrow: 'none', domain: [0, (buckets * bucketMs) / unit.ms] },
      y: { label: yLabel(s), labelArrow: 'none', grid: true, nice: true },
      marks: [
        Plot.rectY(bars, { x1: 'x1', x2: 'x2', y: 'count', fill: s.color, insetLeft: -0.3, insetRight: -0.3, className: 'bar', title: (d: (typeof bars)[number]) => `${s.name}, ${num(d.x1)}–${num(d.x2)} ${unit.name}: ${d.count} ${s.unit}` }),
        Plot.ruleY([0]),
      ],
    });
  });
  return figure(title, charts.join(''));
}
