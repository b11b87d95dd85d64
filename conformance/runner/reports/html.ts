/**
 * report.html: self-contained (no network), the requirement table with
 * filters by level, verdict and text, failing cases with their exchanges,
 * and, for several results (`relaylab report --merge`), an
 * implementation × requirement matrix.
 */
import type { SuiteResult } from '../run-suite.ts';
import { resultLine } from '../terminal-tree.ts';
import type { CaseResult, Exchange, RequirementResult } from '../types.ts';

const esc = (s: unknown): string => String(s ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem;color:#1d1d1f}
h1{font-size:1.3rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f6;position:sticky;top:0}
.v-pass{color:#127a2a}.v-fail{color:#b3261e;font-weight:600}.v-warn{color:#9a6700}.v-skip,.v-untested{color:#777}
.cell-pass{background:#e6f4ea}.cell-fail{background:#fce8e6}.cell-warn{background:#fff4d6}.cell-skip,.cell-untested{background:#f1f1f1}
pre{background:#f6f8fa;padding:.5rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all;max-height:24rem}
.filters{display:flex;gap:1rem;flex-wrap:wrap;margin:.5rem 0}.filters label{user-select:none}
.summary span{margin-right:1rem}.muted{color:#666}`;

const SCRIPT = `
(function(){
  var boxes=document.querySelectorAll('.filters input[type=checkbox]');
  var search=document.getElementById('search');
  function apply(){
    var on={};boxes.forEach(function(b){on[b.value]=b.checked;});
    var q=(search.value||'').toLowerCase();
    document.querySelectorAll('tr.req').forEach(function(row){
      var show=on[row.dataset.level]&&on[row.dataset.verdict]&&row.textContent.toLowerCase().indexOf(q)>=0;
      row.style.display=show?'':'none';
    });
  }
  boxes.forEach(function(b){b.addEventListener('change',apply);});
  search.addEventListener('input',apply);apply();
})();`;

export function toReportHtml(results: SuiteResult[]): string {
  const title = results.length === 1 ? `Relay conformance: ${results[0]?.target.url ?? ''}` : `Relay conformance: ${results.length} implementations`;
  const body = results.length === 1 && results[0] ? single(results[0]) : merged(results);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head><body><h1>${esc(title)}</h1>${body}<script>${SCRIPT}</script></body></html>\n`;
}

function filters(): string {
  const box = (value: string, checked = true) => `<label><input type="checkbox" value="${value}"${checked ? ' checked' : ''}> ${value}</label>`;
  return `<div class="filters"><strong>Level</strong>${['MUST', 'SHOULD', 'MAY'].map((v) => box(v)).join('')}<strong>Verdict</strong>${['pass', 'fail', 'warn', 'skip', 'untested', 'mixed'].map((v) => box(v)).join('')}<input id="search" type="search" placeholder="filter text"></div>`;
}

function single(result: SuiteResult): string {
  const s = result.summary;
  const facts = Object.entries(result.facts).map(([k, v]) => `<li>${esc(k)}: ${esc(v)}</li>`).join('');
  const time = `declared TTL ${result.time.ttlSeconds ?? '?'} s; expiry via ${result.time.strategy}${result.time.unavailableReason ? ` (${esc(result.time.unavailableReason)})` : ''}`;
  const rows = result.requirements.map((r) => requirementRow(r, result)).join('');
  const failures = result.cases.filter((c) => c.verdict === 'fail').map(failureBlock).join('');
  return `<p class="summary"><span>auth ${esc(result.target.auth)}</span><span>seed ${result.seed}</span><span>${esc(result.startedAt)}</span><span>${(result.durationMs / 1000).toFixed(1)} s</span></p>
<p class="summary"><span class="v-pass">${s.pass} pass</span><span class="v-fail">${s.fail} fail</span><span class="v-warn">${s.warn} warn</span><span class="v-skip">${s.skip} skip</span><span>${s.baselinedFailures} baselined</span><strong>${esc(resultLine(result).replace(/^RESULT: /, ''))}</strong></p>
<p>${esc(time)}</p><ul>${facts}</ul>
<h2>Requirements</h2>${filters()}
<table><thead><tr><th>Id</th><th>Level</th><th>Verdict</th><th>Requirement</th><th>Cases</th></tr></thead><tbody>${rows}</tbody></table>
<h2>Failing cases</h2>${failures || '<p>None.</p>'}`;
}

function requirementRow(r: RequirementResult, result: SuiteResult): string {
  const cases = r.caseIds.map((id) => result.cases.find((c) => c.caseId === id)).filter((c): c is CaseResult => Boolean(c));
  const list = cases.map((c) => `<div class="v-${c.verdict}">${esc(c.caseId)}: ${c.verdict}${c.skipReason ? ` (${esc(c.skipReason)})` : ''}${c.verdict === 'fail' ? ` <a href="#${anchor(c.caseId)}">exchange</a>` : ''}</div>`).join('');
  const verdict = r.baselined ? `${r.verdict} (baselined)` : r.verdict;
  return `<tr class="req" data-level="${r.level}" data-verdict="${r.verdict}"><td>${esc(r.id)}</td><td>${r.level}</td><td class="v-${r.verdict}">${esc(verdict)}</td><td>${esc(r.text)}</td><td>${list}</td></tr>`;
}

function anchor(caseId: string): string {
  return `case-${caseId.replace(/[^A-Za-z0-9-]/g, '_')}`;
}

function failureBlock(c: CaseResult): string {
  const exchanges = c.exchanges.map(exchangeText).join('\n\n');
  return `<section id="${anchor(c.caseId)}"><h3 class="v-fail">${esc(c.caseId)} <span class="muted">(${esc(c.stability)}, ${c.attempts} attempts)</span></h3>
<p>${esc(c.title)}</p><pre>expected: ${esc(c.expected)}\nactual:   ${esc(c.actual)}</pre>
<details><summary>${c.exchanges.length} exchanges (first failing attempt)</summary><pre>${esc(exchanges)}</pre></details></section>`;
}

export function exchangeText(e: Exchange): string {
  const req = e.request;
  const head = [`> ${req.method} ${req.path}${req.identity ? `   [client certificate: ${req.identity}]` : ''}`];
  for (const [k, v] of Object.entries(req.headers)) head.push(`> ${k}: ${v.length > 120 ? `${v.slice(0, 120)}…` : v}`);
  if (req.body !== null) head.push('>', `> ${req.body.length > 2000 ? `${req.body.slice(0, 2000)}… (${req.bodyBytes} bytes)` : req.body}`);
  if (!e.response) return `${head.join('\n')}\n< no response: ${e.transportError}`;
  const res = [`< HTTP ${e.response.status}`, ...Object.entries(e.response.headers).map(([k, v]) => `< ${k}: ${v}`), '<', `< ${e.response.body.slice(0, 2000)}`];
  return `${head.join('\n')}\n${res.join('\n')}`;
}

function merged(results: SuiteResult[]): string {
  const ids = results[0]?.requirements ?? [];
  const header = results.map((r, i) => `<th title="${esc(r.target.url)}">${esc(label(r, i))}</th>`).join('');
  const rows = ids.map((req) => {
    const cells = results.map((r) => {
      const found = r.requirements.find((x) => x.id === req.id);
      const v = found?.verdict ?? 'untested';
      return `<td class="cell-${v}">${v}${found?.baselined ? ' (baselined)' : ''}</td>`;
    });
    const verdicts = new Set(results.map((r) => r.requirements.find((x) => x.id === req.id)?.verdict ?? 'untested'));
    const rowVerdict = verdicts.size === 1 ? [...verdicts][0] : 'mixed';
    return `<tr class="req" data-level="${req.level}" data-verdict="${rowVerdict}"><td>${esc(req.id)}</td><td>${req.level}</td><td>${esc(req.text)}</td>${cells.join('')}</tr>`;
  });
  const sections = results.map((r, i) => `<h2>${esc(label(r, i))}: failing cases</h2>${r.cases.filter((c) => c.verdict === 'fail').map(failureBlock).join('') || '<p>None.</p>'}`).join('');
  return `<h2>Implementation × requirement</h2>${filters()}<table><thead><tr><th>Id</th><th>Level</th><th>Requirement</th>${header}</tr></thead><tbody>${rows.join('')}</tbody></table>${sections}`;
}

function label(result: SuiteResult, index: number): string {
  return result.label ?? `${index + 1}: ${result.target.url}`;
}
