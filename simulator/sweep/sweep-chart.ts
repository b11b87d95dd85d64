/**
 * One metric against one swept parameter: a line per combination of the
 * other parameters, each with its 95% confidence band. Drawn like
 * report/svg-charts.ts (same size, classes and escaping) so the sweep
 * report reads like a run's. A point with no value breaks its line and
 * is marked "none" at the axis, never drawn at 0.
 */
import { escapeHtml } from '../report/svg-charts.ts';

const WIDTH = 460;
const HEIGHT = 220;
const PAD = 48;
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

export function sweepChart(title: string, axis: AxisSpec, input: ChartSeries[]): string {
  const series = clippedAtZero(input);
  const range = yRange(series);
  const x = (i: number): number => PAD + (axis.positions[i] as number) * (WIDTH - 2 * PAD);
  const y = (v: number): number => HEIGHT - PAD - ((v - range.min) / (range.max - range.min)) * (HEIGHT - 2 * PAD);
  const body = series.map((s, k) => seriesSvg(s, k, x, y)).join('');
  const svg = `<svg class="chart sweep" xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(title)}">${axes(axis, range, x)}${body}</svg>`;
  return `<figure><figcaption>${escapeHtml(title)}</figcaption>${svg}${legend(series)}</figure>`;
}

function seriesSvg(s: ChartSeries, k: number, x: (i: number) => number, y: (v: number) => number): string {
  const color = COLORS[k % COLORS.length] as string;
  let out = '';
  for (const run of contiguousRuns(s.values)) {
    const upper = run.map((i) => `${r1(x(i))},${r1(y(high(s.values[i] as ChartValue)))}`);
    const lower = [...run].reverse().map((i) => `${r1(x(i))},${r1(y(low(s.values[i] as ChartValue)))}`);
    out += `<polygon class="band" points="${[...upper, ...lower].join(' ')}" fill="${color}" fill-opacity="0.15" stroke="none"/>`;
    if (run.length > 1) out += `<polyline class="line" points="${run.map((i) => `${r1(x(i))},${r1(y(mean(s.values[i] as ChartValue)))}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`;
  }
  s.values.forEach((v, i) => {
    if (v.mean === null) out += `<text class="none" x="${r1(x(i))}" y="${HEIGHT - PAD - 4 - 10 * (k % 8)}" font-size="10" text-anchor="middle" fill="${color}"><title>${escapeHtml(`${s.name}: none (${v.note ?? 'no value'})`)}</title>none</text>`;
    else out += `<circle class="point" cx="${r1(x(i))}" cy="${r1(y(v.mean))}" r="3" fill="${color}"><title>${escapeHtml(`${s.name}: ${v.mean}${v.ci95 === null ? ' (one value: no interval)' : ` ± ${v.ci95}`}${v.note ? ` (${v.note})` : ''}`)}</title></circle>`;
  });
  return out;
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

function axes(axis: AxisSpec, range: { min: number; max: number }, x: (i: number) => number): string {
  const lines = `<line x1="${PAD}" y1="${HEIGHT - PAD}" x2="${WIDTH - PAD}" y2="${HEIGHT - PAD}" stroke="#333"/><line x1="${PAD}" y1="${PAD}" x2="${PAD}" y2="${HEIGHT - PAD}" stroke="#333"/>`;
  const ticks = axis.labels.map((label, i) => `<text class="tick" x="${r1(x(i))}" y="${HEIGHT - PAD + 16}" font-size="11" text-anchor="middle">${escapeHtml(label)}</text>`).join('');
  const yLabels = `<text x="${PAD - 4}" y="${PAD + 4}" font-size="11" text-anchor="end">${escapeHtml(short(range.max))}</text><text x="${PAD - 4}" y="${HEIGHT - PAD}" font-size="11" text-anchor="end">${escapeHtml(short(range.min))}</text>`;
  const title = `<text x="${WIDTH / 2}" y="${HEIGHT - 8}" font-size="11" text-anchor="middle">${escapeHtml(axis.title)}</text>`;
  return lines + ticks + yLabels + title;
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

function mean(v: ChartValue): number {
  return v.mean as number;
}

function low(v: ChartValue): number {
  return Math.max((v.mean as number) - (v.ci95 ?? 0), v.floor ?? -Infinity);
}

function high(v: ChartValue): number {
  return (v.mean as number) + (v.ci95 ?? 0);
}

function r1(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}

/** Axis labels fit the 48 px margin: 3,600,000 reads 3.6M. */
function short(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (abs >= 1e4) return `${Number((value / 1e3).toPrecision(3))}k`;
  return String(Number(value.toPrecision(3)));
}
