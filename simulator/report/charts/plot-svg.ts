/**
 * Observable Plot drawn on the server: Plot renders into a linkedom
 * document and we keep the markup. Plot numbers its clip paths, patterns
 * and markers from process-wide counters, so the same chart would read
 * differently in the second report of a process; those ids are renamed
 * from the chart's own key and their order of appearance, which makes the
 * bytes depend on the data alone. Coordinates are rounded to 0.1 px.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';

/** Plot's process-wide counters (plot-clip-3, plot-marker-12, plot-pattern-1). */
const COUNTED_ID = /plot-(clip|pattern|marker)-(\d+)/g;
const GEOMETRY = new Set(['d', 'transform', 'x', 'y', 'x1', 'x2', 'y1', 'y2', 'cx', 'cy', 'r', 'width', 'height', 'points', 'dx', 'dy']);

export interface PlotSvgOptions {
  /** Unique in the page: ids are derived from it. */
  key: string;
  /** Classes on the <svg> (tests and styles find charts by them). */
  svgClass: string;
  /** Mark classNames whose elements should carry the class themselves (Plot sets it on the mark's <g> only). */
  markClasses?: string[];
}

export function plotSvg(options: PlotSvgOptions, plot: Plot.PlotOptions): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const node = Plot.plot({ ...plot, document } as Plot.PlotOptions) as unknown as Element;
  const svg = node.tagName.toLowerCase() === 'svg' ? node : (node.querySelector('svg[viewBox]') as Element);
  svg.setAttribute('class', `${svg.getAttribute('class') ?? ''} ${options.svgClass}`.trim());
  for (const mark of options.markClasses ?? []) {
    for (const el of node.querySelectorAll(`g.${mark} > *`)) el.setAttribute('class', mark);
  }
  for (const el of node.querySelectorAll('*')) roundGeometry(el);
  return renameIds(node.outerHTML, slug(options.key));
}

function roundGeometry(el: Element): void {
  for (const name of el.getAttributeNames()) {
    if (!GEOMETRY.has(name)) continue;
    const value = el.getAttribute(name) as string;
    const rounded = value.replace(/-?\d+\.\d{2,}/g, (n) => String(Math.round(Number(n) * 10) / 10));
    if (rounded !== value) el.setAttribute(name, rounded);
  }
}

function renameIds(markup: string, prefix: string): string {
  const local = new Map<string, string>();
  return markup.replace(COUNTED_ID, (id, kind: string) => {
    let name = local.get(id);
    if (name === undefined) {
      name = `${prefix}-${kind}-${local.size + 1}`;
      local.set(id, name);
    }
    return name;
  });
}

/** A chart's key as an id-safe prefix: "Time to connect (CDF)" → "rl-time-to-connect-cdf". */
export function slug(key: string): string {
  return `rl-${key.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
}
