/**
 * A step CDF of [value in ms, cumulative fraction] points: time on x in a
 * unit chosen from the data range, the share of samples on y, and a dot
 * per distinct value whose <title> gives the exact figures.
 */
import * as Plot from '@observablehq/plot';
import { emptyFigure, figure } from './figure.ts';
import { plotSvg } from './plot-svg.ts';
import { inUnit, timeUnitFor } from './units.ts';

/** `samples`: the distribution's count and CDF as results.json holds them (the CDF may be thinned). */
export function cdfChart(title: string, samples: { count: number; cdf: ReadonlyArray<readonly [number, number]> } | undefined): string {
  const points = samples?.cdf ?? [];
  if (samples === undefined || points.length === 0) return emptyFigure(title, 'no samples');
  const unit = timeUnitFor(Math.max(...points.map(([x]) => x)));
  // One step per distinct value (5% room on the right keeps the last step off the frame), at the fraction reached once all its samples are counted.
  const steps = [...new Map(points.map(([x, f]) => [x, f])).entries()].map(([ms, fraction]) => ({ ms, x: ms / unit.ms, fraction }));
  const line = [{ x: 0, fraction: 0 }, ...steps];
  const hover = (d: (typeof steps)[number]): string => `≤ ${inUnit(d.ms, unit)}: ${Math.round(d.fraction * 1000) / 10}% of ${samples.count} samples`;
  const svg = plotSvg({ key: title, svgClass: 'chart', markClasses: ['line', 'point'] }, {
    width: 460,
    height: 240,
    marginLeft: 48,
    marginBottom: 40,
    style: { fontSize: '11px' },
    x: { label: `${title.replace(/ \(CDF\)$/, '').toLowerCase()} (${unit.name})`, labelAnchor: 'center', labelArrow: 'none', domain: [0, 1.05 * Math.max(...line.map((d) => d.x)) || 1], nice: true },
    y: { label: 'share of samples (%)', labelArrow: 'none', domain: [0, 1], tickFormat: (f: number) => String(Math.round(f * 100)), grid: true },
    marks: [
      Plot.ruleY([0]),
      Plot.lineY(line, { x: 'x', y: 'fraction', curve: 'step-after', stroke: '#2563eb', strokeWidth: 2, className: 'line', title: () => `${title}: ${samples.count} samples` }),
      Plot.dot(steps, { x: 'x', y: 'fraction', r: steps.length > 30 ? 2 : 3, fill: '#2563eb', className: 'point', title: hover }),
    ],
  });
  return figure(title, svg);
}
