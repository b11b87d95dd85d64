/**
 * Rows × columns of ratios in [0, 1] (caller × callee NAT classes): class
 * names on both axes, each cell's percentage written on it and its exact
 * figures in its <title>. A cell with nothing to measure is grey and reads
 * "no tries", never 0%.
 */
import * as Plot from '@observablehq/plot';
import { emptyFigure, figure } from './figure.ts';
import { plotSvg } from './plot-svg.ts';

export interface HeatCell {
  ratio: number | null;
  /** The exact figures, for the hover text. */
  text: string;
}

const CELL = 72;
/** About 6.5 px per character at 11 px. */
const CHAR = 6.5;
const FONT = 11;

export function heatMap(title: string, labels: readonly string[], cell: (row: number, column: number) => HeatCell): string {
  if (labels.length === 0) return emptyFigure(title, 'no NAT class pairs');
  const cells = labels.flatMap((caller, i) => labels.map((callee, j) => ({ caller, callee, ...cell(i, j) })));
  const longest = Math.max(...labels.map((l) => l.length)) * CHAR;
  // Column labels wrap at spaces to a cell's width; they turn only when one word is wider than a cell.
  const longestWord = Math.max(...labels.flatMap((l) => l.split(/\s+/).map((w) => w.length))) * CHAR;
  const rotate = longestWord > CELL - 6;
  const lines = Math.max(...labels.map((l) => wrappedLines(l)));
  // Tick labels plus the rotated axis label beside them.
  const marginLeft = Math.max(80, Math.ceil(longest) + 44);
  const marginBottom = (rotate ? Math.ceil(longest * 0.71) : (lines + 1) * 13) + 30;
  type Cell = (typeof cells)[number];
  const svg = plotSvg({ key: title, svgClass: 'heatmap', markClasses: ['cell'] }, {
    width: marginLeft + labels.length * CELL + 24,
    height: 16 + labels.length * CELL + marginBottom,
    marginLeft,
    marginTop: 16,
    marginBottom,
    marginRight: 24,
    style: { fontSize: '11px' },
    x: { domain: [...labels], axis: null },
    y: { domain: [...labels], label: 'caller (NAT class)', labelAnchor: 'center', labelArrow: 'none', labelOffset: marginLeft - 4 },
    color: { type: 'identity' },
    marks: [
      Plot.axisX({ label: 'callee (NAT class)', labelAnchor: 'center', labelArrow: 'none', labelOffset: marginBottom - 8, ...(rotate ? { tickRotate: -45 } : { lineWidth: (CELL - 6) / FONT }) }),
      Plot.cell(cells, { x: 'callee', y: 'caller', fill: (d: Cell) => fill(d.ratio), inset: 1, className: 'cell', title: (d: Cell) => `${d.caller} -> ${d.callee}: ${d.text}` }),
      Plot.text(cells, { x: 'callee', y: 'caller', text: (d: Cell) => (d.ratio === null ? 'no tries' : `${Math.round(d.ratio * 100)}%`), fill: (d: Cell) => (d.ratio === null ? '#4b5563' : '#111'), fontSize: 12, title: (d: Cell) => `${d.caller} -> ${d.callee}: ${d.text}` }),
    ],
  });
  return figure(title, svg);
}

/** How many lines a column label takes when wrapped to a cell's width. */
function wrappedLines(label: string): number {
  let lines = 1;
  let width = 0;
  for (const word of label.split(/\s+/)) {
    const w = word.length * CHAR;
    if (width > 0 && width + CHAR + w > CELL - 6) {
      lines += 1;
      width = w;
    } else width += (width > 0 ? CHAR : 0) + w;
  }
  return lines;
}

/** Red (0%) through yellow to green (100%), light enough for black text; grey when there is nothing to measure. */
function fill(ratio: number | null): string {
  return ratio === null ? '#e5e7eb' : `hsl(${Math.round(ratio * 120)},70%,62%)`;
}
