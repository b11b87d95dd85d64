/**
 * report.html: one self-contained page (inline CSS and SVG, no scripts,
 * no network) with what was modelled (hypotheses in the header, every
 * model setting in a table at the end), the assertions, the headline metrics, CDFs,
 * the relay load timeline and the NAT x NAT success heat map. A value
 * with nothing to measure reads "none" with its reason, never 0.
 * Charts are Observable Plot SVG rendered here (charts/), with <title>
 * hover text on every mark; a run stopped early carries a banner on top.
 */
import type { PartialMark } from '../../reference/shared/partial-mark.ts';
import { escapeHtml } from '../../reference/shared/escape-html.ts';
import { cdfChart } from './charts/cdf-chart.ts';
import { heatMap } from './charts/heat-map.ts';
import { timelineChart } from './charts/timeline-chart.ts';
import { extensionSection } from './extension-section.ts';
import { hypothesisBanner, settingRows } from './model-section.ts';
import type { MultiSeedSummary } from './multi-seed.ts';
import type { Results } from './results.ts';

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem;max-width:1100px;color:#111}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
.pass{color:#15803d}.fail{color:#b91c1c;font-weight:bold}.hypothesis{border:2px solid #b45309;background:#fffbeb;padding:0.5rem 1rem}figure{display:inline-block;margin:0.5rem;vertical-align:top}tr.changed td{font-weight:600}figcaption{font-weight:600;margin-bottom:0.25rem}
.legend{font-size:12px;margin:0.25rem 0}p.empty{color:#4b5563;font-style:italic}.bars-figure p.empty{font-size:12px;margin:0.5rem 0}.partial{border:2px solid #b91c1c;background:#fef2f2;padding:0.5rem 1rem}`;

export interface ReportExtras {
  /** A run that did not finish (Ctrl-C): shown as a banner above everything else. */
  partial?: PartialMark;
}

export function renderReport(r: Results, multi: MultiSeedSummary | null, extras: ReportExtras = {}): string {
  const d = r.distributions;
  const labels = uniqueLabels(r);
  const sections = [
    partialBanner(extras.partial),
    `<h1>Simulation report: ${escapeHtml(r.scenario)}${r.hypotheses.length > 0 ? ' (hypothesis)' : ''}</h1>`,
    hypothesisBanner(r),
    `<p>Scenario <code>${escapeHtml(r.file)}</code>, seed <code>${r.seed}</code>, ${r.events_processed} events. Verdict: <span id="verdict" class="${r.passed === null ? 'unjudged' : r.passed ? 'pass' : 'fail'}">${r.passed === null ? 'not judged (the run was stopped early)' : r.passed ? 'all assertions hold' : 'assertions failed'}</span>.</p>`,
    table('Assertions', ['assertion', 'value', 'result'], r.assertions.map((a) => [a.assertion, a.note ?? String(a.value), a.passed === null ? 'not judged' : a.passed ? 'pass' : 'FAIL']), 'assertions'),
    '<h2>Connect success by NAT type (caller x callee)</h2>',
    heatMap('Success ratio', labels, (i, j) => {
      const pair = r.pairs.find((p) => p.caller === labels[i] && p.callee === labels[j]);
      if (pair === undefined || pair.tries === 0) return { ratio: null, text: 'no tries' };
      return { ratio: pair.success_ratio, text: `${pair.successes}/${pair.tries}, ${pair.time_to_connect_ms.p95 === null ? 'no successes' : `p95 ${pair.time_to_connect_ms.p95} ms`}` };
    }),
    table('Metrics', ['metric', 'value'], Object.entries(r.metrics).map(([k, v]) => [k, shown(v, r.metric_notes[k])]), 'metrics'),
    multi ? table(`Over ${multi.seeds.length} seeds (mean ± 95% CI)`, ['metric', 'mean', '± CI', 'note'], multi.metrics.map((m) => [m.metric, shown(m.mean, undefined), shown(m.ci95, undefined), m.note ?? '']), 'seeds') : '',
    '<h2>Distributions</h2>',
    cdfChart('Time to connect (CDF)', d.time_to_connect_ms),
    cdfChart('Lookup latency (CDF)', d.lookup_latency_ms),
    cdfChart('Join to discoverable (CDF)', d.join_to_discoverable_ms),
    cdfChart('Staleness of stale lookups (CDF)', d.staleness_ms),
    cdfChart('Listed after departure (CDF)', d.listed_after_departure_ms),
    cdfChart('Listed after a graceful leave (CDF)', d.listed_after_leave_ms),
    cdfChart('Listed after a crash (CDF)', d.listed_after_crash_ms),
    cdfChart('Expiry gap lengths (CDF)', d.expiry_gap_ms),
    listingParagraph(r),
    '<h2>Relay load</h2>',
    timelineChart('Relay requests and live broadcasts over time', r.timeline.bucket_ms, [
      { name: 'relay requests', unit: 'requests', values: r.timeline.relay_requests, color: '#2563eb' },
      { name: 'live broadcasts', unit: 'live broadcasts', values: r.timeline.live_broadcasts, color: '#d97706', sampled: true },
    ]),
    table('Per pair', ['caller', 'callee', 'tries', 'success', 'attempts p50', 'connect p95 ms', 'winning address kinds'],
      r.pairs.filter((p) => p.tries > 0).map((p) => [p.caller, p.callee, String(p.tries), shown(p.success_ratio, p.note), shown(p.attempts_until_success.p50, 'no successes'), shown(p.time_to_connect_ms.p95, 'no successes'), Object.entries(p.winning_address_kinds).map(([k, v]) => `${k}: ${v}`).join(', ')]), 'pairs'),
    r.strategy_comparison
      ? table('Sequential vs race (same seed)', ['caller', 'callee', 'seq success', 'seq p95 ms', 'race success', 'race p95 ms'],
          r.strategy_comparison.filter((c) => c.sequential.tries + c.race.tries > 0).map((c) => [c.caller, c.callee, shown(c.sequential.success_ratio, c.sequential.note), shown(c.sequential.time_to_connect_p95_ms, c.sequential.note), shown(c.race.success_ratio, c.race.note), shown(c.race.time_to_connect_p95_ms, c.race.note)]), 'strategies')
      : '',
    extensionSection(r),
    table('Model settings (results.json options)', ['setting', 'value'], settingRows(r), 'model-settings'),
  ];
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(r.scenario)}: relaylab simulation</title><style>${STYLE}</style></head><body>${sections.join('\n')}</body></html>\n`;
}

/** The banner a run stopped by a signal opens with; the sweep report uses it too. Style: `.partial`. */
export function partialBanner(partial: PartialMark | undefined): string {
  if (partial === undefined) return '';
  return `<div id="partial" class="partial" role="alert"><strong>PARTIAL RUN</strong> (stopped by ${escapeHtml(partial.signal)}): ${escapeHtml(partial.note)}</div>`;
}

/** The relay's own listing, in words: what the two charts above measure, and how the false expiries relate to the gaps. */
function listingParagraph(r: Results): string {
  const after = r.distributions.listed_after_departure_ms;
  const gaps = r.distributions.expiry_gap_ms;
  const listed = after?.count ? `${after.count} departed peers stayed listed for a mean ${after.mean} ms (p95 ${after.p95} ms) after departing` : 'no listed peer departed';
  const gapText = gaps?.count ? `${gaps.count} expiry gaps (windows in which a live peer was not listed, looked up or not), longest ${gaps.max} ms` : 'no expiry gap (every live peer stayed listed)';
  return `<p id="listing">From the relay's own state: ${escapeHtml(listed)}; ${escapeHtml(gapText)}; ${String(r.metrics.false_expiries)} lookups fell into one (false expiries).</p>`;
}

/** A number as it stands; nothing to measure reads "none" and why. */
function shown(value: number | null, note: string | undefined): string {
  return value === null ? `none${note ? ` (${note})` : ''}` : String(value);
}

function uniqueLabels(r: Results): string[] {
  const labels: string[] = [];
  for (const p of r.pairs) if (!labels.includes(p.caller)) labels.push(p.caller);
  return labels;
}

function table(title: string, head: string[], rows: string[][], id: string): string {
  const header = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((c) => `<td${c === 'FAIL' ? ' class="fail"' : c === 'pass' ? ' class="pass"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`).join('');
  return `<h2>${escapeHtml(title)}</h2><table id="${id}"><thead><tr>${header}</tr></thead><tbody>${body}</tbody></table>`;
}
