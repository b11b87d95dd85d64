/**
 * report.html of a sweep: what ran (scenario, seeds and their rule, the
 * swept parameters), each point's verdict, then for every parameter with
 * more than one value a chart per metric against it, with 95% confidence
 * bands from the seeds. Metrics that are the same at every point, or
 * have no value anywhere, are listed in a line instead of drawn.
 * Computed from results.json alone, so a merge of shards draws the same page.
 */
import { partialBanner, type ReportExtras } from '../report/html-report.ts';
import { escapeHtml } from '../../reference/shared/escape-html.ts';
import { axisPositions } from './axis.ts';
import { sweepChart, type ChartSeries } from './sweep-chart.ts';
import type { SweepPointResult, SweepResults } from './sweep-results.ts';

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem;max-width:1100px;color:#111}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
.pass{color:#15803d}.fail{color:#b91c1c;font-weight:bold}.hypothesis{border:2px solid #b45309;background:#fffbeb;padding:0.5rem 1rem}figure{display:inline-block;margin:0.5rem;vertical-align:top}figcaption{font-weight:600;margin-bottom:0.25rem}.legend{font-size:12px;max-width:460px}`;

export function renderSweepReport(r: SweepResults, extras: ReportExtras = {}): string {
  const swept = r.parameters.filter((p) => p.values.length > 1);
  const sections = [
    partialBanner(extras.partial),
    `<h1>Sweep report: ${escapeHtml(r.scenario)}</h1>`,
    hypotheses(r),
    header(r),
    pointsTable(r),
    ...swept.map((p) => parameterSection(r, r.parameters.indexOf(p))),
  ];
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(r.scenario)}: relaylab sweep</title><style>${STYLE}</style></head><body>${sections.join('\n')}</body></html>\n`;
}

function header(r: SweepResults): string {
  const fixed = r.parameters.filter((p) => p.values.length === 1).map((p) => `${p.name}=${p.values[0]}`);
  const verdict = `<span id="verdict" class="${r.passed ? 'pass' : 'fail'}">${r.passed ? 'all assertions hold at every point' : 'assertions failed at some points'}</span>`;
  const bands = r.seeds_per_point > 1 ? 'Lines are means over the seeds, bands their 95% confidence intervals (Student\'s t), cut at 0 where no mean is negative' : 'One seed per point: lines without confidence bands (use --seeds 2 or more)';
  return `<p>Scenario <code>${escapeHtml(r.file)}</code>, ${r.points.length} points × ${r.seeds_per_point} seeds = ${r.runs} runs; base seed <code>${r.seed}</code> (${escapeHtml(r.seed_rule)}).${fixed.length > 0 ? ` Fixed: <code>${escapeHtml(fixed.join(' '))}</code>.` : ''} Sweep <code>${r.definition_hash.slice(0, 12)}</code>. Verdict: ${verdict}.</p><p>${escapeHtml(bands)}; a point with no value reads "none", never 0.</p>`;
}

/** Every hypothesis any point runs, with the points that run it: a sweep may cross from the reference model into one. */
function hypotheses(r: SweepResults): string {
  const texts = [...new Set(r.points.flatMap((p) => p.hypotheses))];
  if (texts.length === 0) return '';
  const items = texts.map((h) => `<li>${escapeHtml(h)} (points ${r.points.filter((p) => p.hypotheses.includes(h)).map((p) => p.index).join(', ')})</li>`);
  return `<div class="hypothesis" id="hypotheses"><strong>Hypothesis, not the reference peer:</strong><ul>${items.join('')}</ul></div>`;
}

function pointsTable(r: SweepResults): string {
  const head = ['point', ...r.parameters.map((p) => p.name), 'seeds', 'result', 'failed assertions'].map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const rows = r.points.map((p) => {
    const cells = [String(p.index), ...r.parameters.map((q) => p.settings[q.name] ?? ''), p.seeds.join(', ')].map((c) => `<td>${escapeHtml(c)}</td>`);
    cells.push(`<td class="${p.passed ? 'pass' : 'fail'}">${p.passed ? 'pass' : 'FAIL'}</td>`, `<td>${escapeHtml(failedText(p))}</td>`);
    return `<tr>${cells.join('')}</tr>`;
  });
  return `<h2>Points</h2><table id="points"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The first failure and how many more: results.json lists them all. */
function failedText(p: SweepPointResult): string {
  const [first, ...more] = p.failed_assertions;
  return first === undefined ? '' : `${first}${more.length > 0 ? ` (+${more.length} more in results.json)` : ''}`;
}

function parameterSection(r: SweepResults, parameter: number): string {
  const p = r.parameters[parameter] as SweepResults['parameters'][number];
  const metrics = r.points[0]?.metrics.map((m) => m.metric) ?? [];
  const constant = metrics.filter((m) => constantValue(r.points, m) !== undefined);
  const drawn = metrics.filter((m) => !constant.includes(m));
  const axis = { title: p.name, labels: p.values, positions: axisPositions(p.values) };
  const charts = drawn.map((m) => sweepChart(m, axis, seriesFor(r, parameter, m), `${p.name} ${m}`));
  return `<h2>Against ${escapeHtml(p.name)}</h2><section class="parameter" data-parameter="${escapeHtml(p.name)}">${charts.join('')}${constantLine(r.points, constant)}</section>`;
}

/** One series per combination of the other parameters' values, each along this parameter's values. */
function seriesFor(r: SweepResults, parameter: number, metric: string): ChartSeries[] {
  const name = r.parameters[parameter]?.name as string;
  const others = r.parameters.filter((_, i) => i !== parameter && (r.parameters[i]?.values.length ?? 0) > 1);
  const groups = new Map<string, SweepPointResult[]>();
  for (const point of r.points) {
    const key = others.map((o) => `${o.name}=${point.settings[o.name]}`).join(' ') || 'all points';
    groups.set(key, [...(groups.get(key) ?? []), point]);
  }
  const values = r.parameters[parameter]?.values ?? [];
  return [...groups].map(([key, points]) => ({
    name: key,
    values: values.map((v) => {
      const m = points.find((pt) => pt.settings[name] === v)?.metrics.find((x) => x.metric === metric);
      return { mean: m?.mean ?? null, ci95: m?.ci95 ?? null, ...(m?.note ? { note: m.note } : {}) };
    }),
  }));
}

/** The metric's one value at every point (null: no value anywhere), or undefined when it varies. */
function constantValue(points: readonly SweepPointResult[], metric: string): number | null | undefined {
  const all = points.map((p) => p.metrics.find((m) => m.metric === metric));
  const first = all[0];
  const same = all.every((m) => m !== undefined && m.mean === first?.mean && (m.ci95 ?? 0) === 0);
  return same ? (first?.mean ?? null) : undefined;
}

function constantLine(points: readonly SweepPointResult[], metrics: string[]): string {
  if (metrics.length === 0) return '';
  const text = metrics.map((m) => {
    const value = constantValue(points, m);
    return value === null ? `${m}: none (${points[0]?.metrics.find((x) => x.metric === m)?.note ?? 'no value'})` : `${m} = ${value}`;
  });
  return `<p class="constant">The same at every point: ${escapeHtml(text.join('; '))}.</p>`;
}
