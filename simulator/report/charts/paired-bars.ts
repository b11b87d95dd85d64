/**
 * Before/after bars, one small chart per quantity so each keeps its own
 * axis and unit (a time, a ratio and a rate share no scale). A missing
 * value draws no bar and reads "none" at the axis, never a bar of 0; a
 * quantity missing on both sides is a line of text instead of a chart.
 */
import * as Plot from '@observablehq/plot';
import { escapeHtml } from '../../../reference/shared/escape-html.ts';
import { emptyFigure, figure } from './figure.ts';
import { plotSvg } from './plot-svg.ts';

export interface BarRow {
  label: string;
  /** The axis unit the values are in: "s", "%", "requests/s". */
  unit: string;
  values: [number | null, number | null];
  /** As hover text and the label beside each bar: "12.3 s", "none". */
  text: [string, string];
  /** The axis end when the quantity has one (100 for a percentage). */
  max?: number;
}

const COLORS = ['#9ca3af', '#2563eb'] as const;
const SIDES = ['without', 'with'] as const;

export function pairedBars(title: string, names: [string, string], rows: readonly BarRow[]): string {
  if (rows.length === 0) return emptyFigure(title, 'no quantities to compare');
  const legend = names.map((n, i) => `<span class="swatch" style="color:${COLORS[i]}">■</span> ${escapeHtml(n)}`).join('<br>');
  const charts = rows.map((row) => barRow(title, names, row));
  return figure(title, `<p class="legend">${legend}</p>${charts.join('')}`, 'chart-figure bars-figure');
}

function barRow(title: string, names: [string, string], row: BarRow): string {
  if (row.values.every((v) => v === null)) return `<p class="empty">${escapeHtml(`${row.label}: none on either side, nothing to draw`)}</p>`;
  const sides = SIDES.map((side, i) => ({ side, value: row.values[i] ?? null, text: row.text[i] ?? '', hover: `${names[i]}: ${row.text[i] ?? ''}`, color: COLORS[i] }));
  type Side = (typeof sides)[number];
  const present = sides.filter((s) => s.value !== null);
  const max = Math.max(0, ...present.map((s) => s.value as number));
  return plotSvg({ key: `${title} ${row.label}`, svgClass: 'bars', markClasses: ['bar'] }, {
    width: 460,
    height: 96,
    marginLeft: 72,
    marginRight: 80,
    marginTop: 8,
    style: { fontSize: '11px' },
    x: { label: `${row.label} (${row.unit})`, labelAnchor: 'center', labelArrow: 'none', domain: [Math.min(0, ...present.map((s) => s.value as number)), Math.max(row.max ?? 0, max > 0 ? max : 1)], nice: true },
    y: { domain: [...SIDES], label: 'extension', labelArrow: 'none' },
    color: { type: 'identity' },
    marks: [
      Plot.barX(present, { x: 'value', y: 'side', fill: 'color', className: 'bar', title: 'hover' }),
      Plot.text(sides, { x: (s: Side) => s.value ?? 0, y: 'side', text: 'text', textAnchor: 'start', dx: 4, title: 'hover' }),
      Plot.ruleX([0]),
    ],
  });
}
