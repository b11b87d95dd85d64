/**
 * The report's account of what was modelled: a banner for each hypothesis
 * (behaviour the reference code does not have), and every model setting
 * as results.json's `options` gives it, one row each.
 */
import { escapeHtml } from '../../reference/shared/escape-html.ts';
import type { Results } from './results.ts';

/** In the header, before any number: a reader must know a run is a hypothesis before reading its results. */
export function hypothesisBanner(r: Results): string {
  if (r.hypotheses.length === 0) return '<p id="model-kind">Model: the reference peer\'s behaviour (no hypothesis).</p>';
  const items = r.hypotheses.map((h) => `<li>${escapeHtml(h)}</li>`).join('');
  return `<div id="hypotheses" class="hypothesis"><strong>HYPOTHESIS, not the reference peer:</strong><ul>${items}</ul></div>`;
}

/** [setting, value] rows; a topology class is one row, nested settings read as compact JSON. */
export function settingRows(r: Results): string[][] {
  const rows: string[][] = [];
  for (const [key, value] of Object.entries(r.options)) {
    if (key === 'topology' && Array.isArray(value)) {
      for (const c of value as Array<Record<string, unknown>>) rows.push([`topology: ${String(c.label)}`, compact(withoutLabel(c))]);
    } else {
      rows.push([key, compact(value) + (key === 'relay_traffic_from' ? trafficNote(value) : '')]);
    }
  }
  return rows;
}

function trafficNote(value: unknown): string {
  return value === 'ephemeral' ? ' (what the reference peer does)' : ' (HYPOTHESIS: not what the reference peer does)';
}

function withoutLabel(c: Record<string, unknown>): Record<string, unknown> {
  const { label: _label, ...rest } = c;
  return rest;
}

function compact(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
