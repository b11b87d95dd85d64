/**
 * One metric against one swept parameter: a line per combination of the
 * other parameters, each with its 95% confidence band, drawn with
 * Observable Plot like the run report's charts (report/charts/). A metric
 * in milliseconds reads in the time unit its range is readable in. A point
 * with no value breaks its line and is marked "none" at the axis, never
 * drawn at 0. Every point and marker has a <title> with its exact value.
 */
import * as Plot from '@observablehq/plot';
import { escapeHtml } from '../../reference/shared/escape-html.ts';
import { figure } from '../report/charts/figure.ts';
import { plotSvg } from '../report/charts/plot-svg.ts';
import { num, timeUnitFor } from '../report/charts/units.ts';

const COLORS = ['#2563eb', '#d97706', '#15803d', '#9333ea', '#dc2626', '#0891b2', '#4b5563', '#db2777'];

export interface ChartValue {
  mean: number | null;
  ci95: number | null;
  note?: string;
  /** The lowest value the band may reach. */
  floor?: number;
}

export interface ChartSeries {
  name: string;
  values: ChartValue[];
}

export interface AxisSpec {
  title: string;
  labels: string[];
  /** In [0, 1], one per label. */
  positions: number[];
}

/** `key`: unique in the page (the same metric is drawn once per swept parameter). */
export function sweepChart(title: string, axis: AxisSpec, input: ChartSeries[], key = title): string {
  const series = clippedAtZero(input);
  const range = yRange(series);
  const unit = metricUnit(title, Math.max(Math.abs(range.min), Math.abs(range.max)));
  const rows = series.flatMap((s, k) => rowsOf(s, k, axis, unit.divisor));
  type Row = (typeof rows)[number];
  const present = rows.filter((d) => d.mean !== null);
  const none = rows.filter((d) => d.mean === null);
  const hover = (d: Row): string => `${d.series}, ${axis.title}=${d.label}: ${d.text}`;
  const svg = plotSvg({ key: `sweep ${key}`, svgClass: 'chart sweep', markClasses: ['band', 'line', 'point', 'none'] }, {
    width: 460,
    height: 240,
    marginLeft: 56,
    marginBottom: 40,
    marginRight: 24,
    style: { fontSize: '11px' },
    x: { domain: [0, 1], inset: 16, ticks: axis.positions, tickFormat: (p: number) => axis.labels[axis.positions.indexOf(p)] ?? '', label: axis.title, labelAnchor: 'center', labelArrow: 'none' },
    y: { domain: [range.min / unit.divisor, range.max / unit.divisor], nice: true, grid: true, label: `${title.replace(/_ms\b/, '')} (${unit.name})`, labelArrow: 'none' },
    color: { type: 'identity' },
    marks: [
      Plot.areaY(present, { x: 'x', y1: 'low', y2: 'high', z: 'run', fill: 'color', fillOpacity: 0.15, className: 'band' }),
      Plot.lineY(present.filter((d) => d.runLength > 1), { x: 'x', y: 'mean', z: 'run', stroke: 'color', strokeWidth: 2, className: 'line' }),
      Plot.dot(present, { x: 'x', y: 'mean', r: 3, fill: 'color', className: 'point', title: hover }),
      // A lone point has no band to draw: its interval is a vertical rule, side by side with the other series'.
      ...series.map((_, k) => Plot.ruleX(present.filter((d) => d.k === k && d.runLength === 1), { x: 'x', y1: 'low', y2: 'high', dx: (k - (series.length - 1) / 2) * 5, stroke: 'color', strokeOpacity: 0.35, strokeWidth: 4, className: 'band' })),
      // "none" markers stack one line per series above the x axis (dy is a constant per mark in Plot).
      ...series.map((_, k) => Plot.text(none.filter((d) => d.k === k), { x: 'x', frameAnchor: 'bottom', dy: -4 - 11 * (k % 8), text: () => 'none', fill: 'color', className: 'none', title: hover })),
    ],
  });
  return figure(title, `${svg}${legend(series)}`);
}

/** One row per (series, swept value), in the metric's display unit, with the run of consecutive values it belongs to. */
function rowsOf(s: ChartSeries, k: number, axis: AxisSpec, divisor: number) {
  const runs = contiguousRuns(s.values);
  return s.values.map((v, i) => {
    const run = runs.findIndex((r) => r.includes(i));
    const shown = v.mean === null ? null : { mean: v.mean / divisor, low: low(v) / divisor, high: high(v) / divisor };
    return {
      series: s.name,
      k,
      color: COLORS[k % COLORS.length] as string,
      x: axis.positions[i] as number,
      label: axis.labels[i] ?? '',
      run: `${k}-${run}`,
      runLength: runs[run]?.length ?? 0,
      mean: shown?.mean ?? null,
      low: shown?.low ?? null,
      high: shown?.high ?? null,
      text: v.mean === null ? `none (${v.note ?? 'no value'})` : `${num(v.mean)}${v.ci95 === null ? ' (one value: no interval)' : ` ± ${num(v.ci95)}`}${v.note ? ` (${v.note})` : ''}`,
    };
  });
}

/** Milliseconds read as s, min or h when that is readable; ratios and counts say so. */
function metricUnit(metric: string, maxAbs: number): { name: string; divisor: number } {
  if (/_ms\b/.test(metric)) {
    const time = timeUnitFor(maxAbs);
    return { name: time.name, divisor: time.ms };
  }
  if (/ratio/.test(metric)) return { name: 'ratio, 0–1', divisor: 1 };
  if (/per_second/.test(metric)) return { name: 'per second', divisor: 1 };
  return { name: 'count', divisor: 1 };
}

/**
 * Every metric a sweep draws is a count, ratio or time, so when no mean is
 * negative a band is cut at 0: a t interval below 0 is an artefact of few
 * seeds, not a possible value. (The report says so.)
 */
function clippedAtZero(series: ChartSeries[]): ChartSeries[] {
  const negative = series.some((s) => s.values.some((v) => v.mean !== null && v.mean < 0));
  if (negative) return series;
  return series.map((s) => ({ ...s, values: s.values.map((v) => ({ ...v, floor: 0 })) }));
}

/** Index runs of consecutive values that have a mean: a missing value breaks the line. */
function contiguousRuns(values: readonly ChartValue[]): number[][] {
  const runs: number[][] = [];
  let current: number[] = [];
  values.forEach((v, i) => {
    if (v.mean === null) {
      if (current.length > 0) runs.push(current);
      current = [];
    } else current.push(i);
  });
  if (current.length > 0) runs.push(current);
  return runs;
}

function legend(series: ChartSeries[]): string {
  if (series.length < 2) return '';
  return `<div class="legend">${series.map((s, k) => `<span style="color:${COLORS[k % COLORS.length]}">${escapeHtml(s.name)}</span>`).join(' ')}</div>`;
}

/** Over every band, padded when flat so a constant line sits mid-chart. */
function yRange(series: ChartSeries[]): { min: number; max: number } {
  const present = series.flatMap((s) => s.values.filter((v) => v.mean !== null));
  if (present.length === 0) return { min: 0, max: 1 };
  const min = Math.min(...present.map(low));
  const max = Math.max(...present.map(high));
  if (max > min) return { min, max };
  const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
  return { min: min - pad, max: max + pad };
}

function low(v: ChartValue): number {
  return Math.max((v.mean as number) - (v.ci95 ?? 0), v.floor ?? -Infinity);
}

function high(v: ChartValue): number {
  return (v.mean as number) + (v.ci95 ?? 0);
}

