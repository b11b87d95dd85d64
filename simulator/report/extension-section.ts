/**
 * report.html's account of `--compare-extensions`: per relay extension, a
 * table and bars of its headline differences on the same seed (listed
 * after a graceful leave and after a crash, connect success, relay load),
 * and connect success per (caller, callee) pair without and with it.
 */
import type { ExtensionComparison, ExtensionSide } from './extension-comparison.ts';
import type { Results } from './results.ts';
import { escapeHtml } from '../../reference/shared/escape-html.ts';
import { pairedBars, type BarRow } from './charts/paired-bars.ts';
import type { StrategySide } from './strategy-comparison.ts';

/** `bar`: drawn as well as tabled (one bar pair per quantity keeps the figure readable). */
type Row = { label: string; pick: (s: ExtensionSide) => number | null; unit: 'ms' | 'ratio' | 'per-second' | 'count'; bar: boolean };

const ROWS: Row[] = [
  { label: 'listed after a graceful leave, mean', pick: (s) => s.listed_after_leave_ms.mean_ms, unit: 'ms', bar: true },
  { label: 'listed after a graceful leave, p95', pick: (s) => s.listed_after_leave_ms.p95_ms, unit: 'ms', bar: false },
  { label: 'listed after a crash, mean', pick: (s) => s.listed_after_crash_ms.mean_ms, unit: 'ms', bar: true },
  { label: 'connect success', pick: (s) => s.connect_success_ratio, unit: 'ratio', bar: true },
  { label: 'time to connect, p50', pick: (s) => s.time_to_connect_p50_ms, unit: 'ms', bar: false },
  { label: 'stale lookups (of those that found a peer)', pick: (s) => s.stale_lookup_ratio, unit: 'ratio', bar: false },
  { label: 'connects to departed peers', pick: (s) => s.connects_to_dead_peers, unit: 'count', bar: false },
  { label: 'relay requests per second', pick: (s) => s.relay_requests_per_second, unit: 'per-second', bar: true },
  { label: 'relay requests per second, peak', pick: (s) => s.peak_relay_requests_per_second, unit: 'per-second', bar: false },
];

export function extensionSection(r: Results): string {
  const rows = r.extension_comparison;
  if (rows === undefined || rows.length === 0) return '';
  return `<h2>Relay extensions compared (same seed)</h2><div id="extensions">${rows.map(oneExtension).join('\n')}</div>`;
}

function oneExtension(c: ExtensionComparison): string {
  const id = `extension-${c.extension}`;
  const names: [string, string] = [`without (${offered(c.without)})`, `with (${offered(c.with)})`];
  const head = `<tr><th>quantity</th><th>${escapeHtml(names[0])}</th><th>${escapeHtml(names[1])}</th><th>difference</th></tr>`;
  const body = ROWS.map((row) => {
    const [a, b] = [row.pick(c.without), row.pick(c.with)];
    return `<tr><td>${escapeHtml(row.label)}</td><td>${text(a, row.unit)}</td><td>${text(b, row.unit)}</td><td>${a === null || b === null ? 'none' : text(b - a, row.unit, true)}</td></tr>`;
  }).join('');
  const bars = pairedBars(`${c.extension}: without and with`, names, ROWS.filter((row) => row.bar).map((row) => barRow(row, c)));
  const pairs = c.pairs.filter((p) => p.without.tries + p.with.tries > 0).map((p) => `<tr${p.without.success_ratio === p.with.success_ratio ? '' : ' class="changed"'}><td>${escapeHtml(p.caller)}</td><td>${escapeHtml(p.callee)}</td><td>${pairText(p.without)}</td><td>${pairText(p.with)}</td></tr>`).join('');
  return `<section id="${id}"><h3>${escapeHtml(c.extension)} (seed ${c.seed})</h3><table class="extension-summary">${head}${body}</table>${bars}` +
    `<p>Connect success per pair; rows in bold changed with the extension.</p><table class="extension-pairs"><tr><th>caller</th><th>callee</th><th>without: success, connect p95</th><th>with: success, connect p95</th></tr>${pairs}</table></section>`;
}

/** One drawn quantity in its axis unit: a time in the unit its values read best in, a ratio in %. */
function barRow(row: Row, c: ExtensionComparison): BarRow {
  const values: [number | null, number | null] = [row.pick(c.without), row.pick(c.with)];
  const [unit, divisor] = axisUnit(row.unit, values);
  return {
    label: row.label,
    unit,
    values: [values[0] === null ? null : values[0] / divisor, values[1] === null ? null : values[1] / divisor],
    text: [text(values[0], row.unit), text(values[1], row.unit)],
    ...(row.unit === 'ratio' ? { max: 100 } : {}),
  };
}

function axisUnit(unit: Row['unit'], values: Array<number | null>): [string, number] {
  if (unit === 'ratio') return ['%', 0.01];
  if (unit === 'per-second') return ['requests/s', 1];
  if (unit === 'count') return ['count', 1];
  // The unit text() writes the bar's label in, so the label and the axis agree.
  return Math.max(0, ...values.map((v) => Math.abs(v ?? 0))) < 10_000 ? ['ms', 1] : ['s', 1000];
}

function offered(side: ExtensionSide): string {
  return side.relay_extensions.length === 0 ? 'no extensions' : side.relay_extensions.join(', ');
}

/** Nothing to measure reads "none", never 0. */
function text(value: number | null, unit: Row['unit'], signed = false): string {
  if (value === null) return 'none';
  const sign = signed && value > 0 ? '+' : '';
  if (unit === 'ratio') return `${sign}${(value * 100).toFixed(1)}${signed ? ' points' : '%'}`;
  if (unit === 'per-second') return `${sign}${value.toFixed(3)}/s`;
  if (unit === 'count') return `${sign}${value}`;
  return Math.abs(value) < 10_000 ? `${sign}${Math.round(value)} ms` : `${sign}${(value / 1000).toFixed(1)} s`;
}

function pairText(side: StrategySide): string {
  if (side.success_ratio === null) return `none (${escapeHtml(side.note ?? 'no tries')})`;
  const p95 = side.time_to_connect_p95_ms === null ? escapeHtml(side.note ?? 'no successes') : `p95 ${side.time_to_connect_p95_ms} ms`;
  return `${(side.success_ratio * 100).toFixed(1)}% of ${side.tries}, ${p95}`;
}
