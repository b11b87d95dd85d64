/**
 * The merged report (`relaylab report --merge`): one column per run, named
 * by its --label or else its target URL. The header rows give each run's
 * target, start and end, seed, declared TTL, warp, concurrency and exit;
 * each cell links to what explains it in that run's own report.html (the
 * failure entry, the one case, or the requirement's row); the footer counts
 * each requirement verdict and each case kind per run. Self-contained: the
 * only links leave for the runs' report.html files.
 */
import { escapeHtml } from '../../../reference/shared/escape-html.ts';
import { resultLine } from '../terminal-tree.ts';
import type { CaseVerdict, RequirementResult, RequirementVerdict, SuiteResult } from '../types.ts';
import { CASE_KINDS, caseAnchors, filters, page, REQUIREMENT_VERDICTS } from './html.ts';
import { partialOf } from './partial.ts';

export interface MergedColumn {
  result: SuiteResult;
  /** Column name: the run's --label, else its target URL (merge.ts refuses two alike). */
  name: string;
  /** The results.json it was read from, for the header; null from the library API. */
  file: string | null;
  /** That run's report.html, relative to the merged report; null: cells are not linked. */
  href: string | null;
  /** The element ids that report.html holds: a cell links only to one of them. */
  anchors: ReadonlySet<string> | null;
}

/** What a cell links to in the run's report.html: the failure entry, else the one case it rests on, else the requirement's row. */
export function cellAnchor(result: SuiteResult, r: RequirementResult, ids: ReadonlySet<string>): string | null {
  const relevant = r.failingCaseIds.length > 0 ? r.failingCaseIds : r.caseIds;
  const only = relevant.length === 1 ? result.cases.find((c) => c.caseId === relevant[0]) : undefined;
  const candidates = [
    r.verdict === 'fail' || r.verdict === 'warn' ? `fail-${r.id}` : null,
    // Unimplemented cases sit inside a closed <details>: their endpoint's entry is reached through the row.
    only && only.verdict !== 'pass' && only.verdict !== 'unimplemented' ? caseAnchors(result).get(only.caseId) ?? null : null,
    `req-${r.id}`,
  ];
  return candidates.find((id): id is string => id !== null && ids.has(id)) ?? null;
}

/** Every anchor cellAnchor may pick for a run (merge.ts checks an existing report.html holds them). */
export function wantedAnchors(result: SuiteResult): string[] {
  const all = new Set<string>([...result.requirements.map((r) => `fail-${r.id}`), ...result.requirements.map((r) => `req-${r.id}`), ...caseAnchors(result).values()]);
  return result.requirements.map((r) => cellAnchor(result, r, all)).filter((id): id is string => id !== null);
}

export function toMergedHtml(columns: MergedColumn[]): string {
  const title = `Relay conformance: ${columns.length} implementations`;
  const partial = columns.filter((c) => partialOf(c.result));
  const banner = partial.length > 0
    ? `<div class="partial" id="partial" role="alert"><strong>${partial.length === 1 ? 'One run is partial' : `${partial.length} runs are partial`}: ${partial.map((c) => `${escapeHtml(c.name)} (stopped by ${escapeHtml(partialOf(c.result)?.signal)})`).join(', ')}.</strong> ${partial.length === 1 ? 'Its verdicts cover' : 'Their verdicts cover'} only what finished before it was stopped.</div>`
    : '';
  const lines = columns.map((c) => `<p class="run-line">${link(c, null, `<strong>${escapeHtml(c.name)}</strong>`)}: <code>${escapeHtml(resultLine(c.result))}</code></p>`).join('');
  return page(title, `${banner}${lines}<section id="matrix"><h2>Implementation × requirement</h2>${filters()}<div class="scroll"><table class="matrix">${head(columns)}${body(columns)}${foot(columns)}</table></div></section>`);
}

function link(c: MergedColumn, anchor: string | null, html: string): string {
  if (c.href === null) return html;
  return `<a href="${escapeHtml(anchor ? `${c.href}#${anchor}` : c.href)}">${html}</a>`;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function head(columns: MergedColumn[]): string {
  const partialClass = (c: MergedColumn) => (partialOf(c.result) ? ' partial-col' : '');
  const names = columns.map((c) => `<th class="impl${partialClass(c)}" title="${escapeHtml(c.file ?? c.result.target.url)}">${link(c, null, escapeHtml(c.name))}${partialOf(c.result) ? ' <span class="badge k-blocked">partial</span>' : ''}</th>`).join('');
  const meta = (label: string, value: (c: MergedColumn) => string) => `<tr class="meta${label === 'requirements' ? ' wrap' : ''}"><th colspan="2">${escapeHtml(label)}</th><td class="text"></td>${columns.map((c) => `<td class="${partialClass(c).trim()}">${value(c)}</td>`).join('')}</tr>`;
  const started = (c: MergedColumn) => Date.parse(c.result.startedAt);
  const rows = [
    meta('target', (c) => `<code>${escapeHtml(c.result.target.url)}</code>`),
    meta('started', (c) => (Number.isNaN(started(c)) ? escapeHtml(c.result.startedAt) : iso(started(c)))),
    meta('ended', (c) => (Number.isNaN(started(c)) ? 'unknown' : iso(started(c) + c.result.durationMs))),
    meta('wall time', (c) => `${(c.result.durationMs / 1000).toFixed(1)} s`),
    meta('seed', (c) => `<code>${c.result.seed}</code>`),
    meta('declared TTL', (c) => (c.result.time.ttlSeconds === null ? 'unknown' : `${c.result.time.ttlSeconds} s`)),
    meta('warp', (c) => (c.result.options.warp > 1 ? `${c.result.options.warp}x` : 'none')),
    meta('concurrency', (c) => String(c.result.options.concurrency)),
    meta('requirements', (c) => REQUIREMENT_VERDICTS.map((v) => [v, c.result.requirements.filter((r) => r.verdict === v).length] as const).filter(([, n]) => n > 0).map(([v, n]) => `<span class="badge v-${v}">${n} ${v}</span>`).join(' ')),
    meta('exit', (c) => `${c.result.exitCode}${c.result.options.strict ? ' (--strict)' : ''}`),
    ...(columns.some((c) => partialOf(c.result)) ? [meta('partial', (c) => (partialOf(c.result) ? `yes: stopped by ${escapeHtml(partialOf(c.result)?.signal)}` : 'no'))] : []),
  ];
  return `<thead><tr><th>Id</th><th>Level</th><th class="text">Requirement</th>${names}</tr>${rows.join('')}</thead>`;
}

/** Every requirement any run judged, in SPEC order (the first run's order, then what only later runs have). */
function requirementRows(columns: MergedColumn[]): RequirementResult[] {
  const seen = new Map<string, RequirementResult>();
  for (const c of columns) for (const r of c.result.requirements) if (!seen.has(r.id)) seen.set(r.id, r);
  return [...seen.values()];
}

function body(columns: MergedColumn[]): string {
  const rows = requirementRows(columns).map((req) => {
    const verdicts: string[] = [];
    const cells = columns.map((c) => {
      const found = c.result.requirements.find((x) => x.id === req.id);
      if (!found) {
        verdicts.push('untested');
        return `<td class="cell cell-untested" title="not in this run (--only)">not run</td>`;
      }
      verdicts.push(found.verdict);
      const anchor = c.anchors ? cellAnchor(c.result, found, c.anchors) : null;
      const text = `${escapeHtml(found.verdict)}${found.baselined ? ' (baselined)' : ''}`;
      return `<td class="cell cell-${found.verdict}">${anchor === null ? text : link(c, anchor, text)}</td>`;
    });
    const distinct = new Set(verdicts);
    const rowVerdict = distinct.size === 1 ? [...distinct][0] : 'mixed';
    return `<tr class="req" data-level="${req.level}" data-verdict="${rowVerdict}"><td>${escapeHtml(req.id)}</td><td>${req.level}</td><td class="text">${escapeHtml(req.text)}</td>${cells.join('')}</tr>`;
  });
  return `<tbody>${rows.join('')}</tbody>`;
}

/** Per run, how many requirements got each verdict and how many cases each kind; kinds no run has are left out. */
function foot(columns: MergedColumn[]): string {
  const row = (label: string, counts: number[], cls: string) => `<tr class="total"><th colspan="2">${label}</th><td class="text"></td>${counts.map((n) => `<td class="${n > 0 ? cls : ''}">${n}</td>`).join('')}</tr>`;
  const requirementRowsHtml = REQUIREMENT_VERDICTS.map((v: RequirementVerdict) => [v, columns.map((c) => c.result.requirements.filter((r) => r.verdict === v).length)] as const)
    .filter(([, counts]) => counts.some((n) => n > 0))
    .map(([v, counts]) => row(`requirements <span class="badge v-${v}">${v}</span>`, counts, `cell-${v}`));
  const caseRowsHtml = CASE_KINDS.map((k: CaseVerdict) => [k, columns.map((c) => c.result.cases.filter((x) => x.verdict === k).length)] as const)
    .filter(([, counts]) => counts.some((n) => n > 0))
    .map(([k, counts]) => row(`cases <span class="badge k-${k}">${k}</span>`, counts, ''));
  const all = [
    row('requirements (all)', columns.map((c) => c.result.requirements.length), ''),
    ...requirementRowsHtml,
    row('cases (all)', columns.map((c) => c.result.cases.length), ''),
    ...caseRowsHtml,
  ];
  return `<tfoot>${all.join('')}</tfoot>`;
}
