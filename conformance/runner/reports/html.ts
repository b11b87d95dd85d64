/**
 * report.html: self-contained (no network, one inline style and script).
 * It opens with the run (label, target, seed, TTL, expiry strategy, warp,
 * concurrency, strict) and the RESULT line, then what to fix first: root
 * causes, unimplemented endpoints, failures by requirement (MUST first),
 * each case with expected/actual, its findings, exchanges, repro script and
 * rerun command. Then the groups that do not fail a requirement of their
 * own: non-strict findings, intermittent cases, blocked cases under their
 * root cause, skipped and not-applicable ones; PERF-1 latency; facts; and
 * the requirement table with filters by level, verdict and text. A
 * partial run (Ctrl-C) opens with a banner saying so. Several results:
 * the implementation × requirement matrix (merged-html.ts).
 */
import {
  caseGlob, casesPattern, failedRequirementsOf, isBaselinedCase, KIND_MEANING, plural, requirementPattern, rerunCommand, rerunRunCommand, resultLine,
} from '../terminal-tree.ts';
import type { CaseResult, CaseVerdict, Exchange, Level, RequirementResult, RequirementVerdict, SuiteResult } from '../types.ts';
import { escapeHtml } from '../../../reference/shared/escape-html.ts';
import { toMergedHtml } from './merged-html.ts';
import { partialOf, sentence } from './partial.ts';
import { REPRO_VERDICTS, reproFileName } from './repro.ts';

export const REQUIREMENT_VERDICTS: RequirementVerdict[] = ['pass', 'fail', 'warn', 'non-strict', 'unimplemented', 'blocked', 'skip', 'not-applicable', 'untested'];
export const CASE_KINDS: CaseVerdict[] = ['pass', 'non-strict', 'fail', 'unimplemented', 'blocked', 'intermittent', 'skip', 'not-applicable', 'harness-error'];
const LEVEL_ORDER: Level[] = ['MUST', 'SHOULD', 'MAY'];

/** Where writeReports puts the repro script of a case (reports/repro.ts decides which get one), relative to the reports folder; null when it gets none. */
export function reproPathOf(c: CaseResult): string | null {
  return REPRO_VERDICTS.includes(c.verdict) ? `repro/${reproFileName(c.caseId)}` : null;
}

export const STYLE = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;padding:1rem 1.25rem 3rem;max-width:84rem;color:#1d1d1f;background:#fff}
h1{font-size:1.45rem;margin:.2rem 0 .6rem;overflow-wrap:anywhere}h2{font-size:1.2rem;margin:2.2rem 0 .6rem;padding-bottom:.2rem;border-bottom:2px solid #e3e3e8}
h3{font-size:1.05rem;margin:1.4rem 0 .4rem}h4{font-size:1rem;margin:.2rem 0 .3rem}h5{font-size:.95rem;margin:0 0 .3rem;font-weight:600}
h1,h2,h3,h4,h5,p,li,dd,summary{overflow-wrap:anywhere}td,th{overflow-wrap:break-word}
table.reqs td:nth-child(-n+2),table.matrix td:nth-child(-n+2){white-space:nowrap}
code,pre,.mono{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
code{background:#f2f3f5;padding:0 .2rem;border-radius:3px}
pre{background:#f6f8fa;border:1px solid #e6e8eb;border-radius:4px;padding:.5rem .6rem;margin:.3rem 0;white-space:pre-wrap;overflow-wrap:anywhere;max-height:28rem;overflow-y:auto}
a{color:#0b57d0}
.muted{color:#5f6368}
.result{padding:.6rem .8rem;border-radius:6px;border:1px solid;margin:.6rem 0}
.result .headline{display:block;font-size:1.1rem;font-weight:700;margin-bottom:.25rem}
.result .line{display:block;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
.counts{display:flex;flex-wrap:wrap;gap:.3rem .4rem;align-items:center;margin:.4rem 0}.counts strong{margin-right:.2rem}
.exit-0{background:#e6f4ea;border-color:#9fd3ae;color:#0d5c22}.exit-1{background:#fce8e6;border-color:#f0aaa3;color:#8c1d14}.exit-70{background:#fff4d6;border-color:#e8c66a;color:#6b4b00}
dl.run{display:grid;grid-template-columns:repeat(auto-fill,minmax(24rem,1fr));gap:.2rem 1.5rem;margin:.5rem 0}
dl.run div{display:grid;grid-template-columns:9rem 1fr;gap:0 .6rem;min-width:0}dl.run div.wide{grid-column:1/-1}
dl.run dt{font-weight:600;color:#3c4043}dl.run dd{margin:0;min-width:0}
nav.toc{display:flex;flex-wrap:wrap;gap:.3rem .9rem;margin:.8rem 0;padding:.5rem .7rem;background:#f4f4f6;border-radius:6px}
.item{border:1px solid #e3e3e8;border-left:4px solid #999;border-radius:6px;padding:.6rem .8rem;margin:.7rem 0;background:#fff}
.item.k-fail,.item.v-fail,.item.root{border-left-color:#c5221f}.item.k-unimplemented,.item.v-unimplemented{border-left-color:#7b1fa2}
.item.k-blocked,.item.v-blocked{border-left-color:#e37400}.item.k-non-strict,.item.v-non-strict{border-left-color:#9a6700}
.item.k-intermittent{border-left-color:#1a73e8}.item.v-warn{border-left-color:#b06000}.item.k-harness-error{border-left-color:#5f6368}
.item.baselined{border-left-style:dashed}
.case{border-top:1px solid #eceef1;padding:.6rem 0 .2rem;margin-top:.5rem}
.badge{display:inline-block;font:600 12px/1.6 system-ui,sans-serif;padding:0 .45rem;border-radius:10px;background:#eee;color:#333;vertical-align:1px;white-space:nowrap}
.k-pass.badge,.v-pass.badge{background:#e6f4ea;color:#0d5c22}.k-fail.badge,.v-fail.badge{background:#fce8e6;color:#a50e0e}
.v-warn.badge{background:#fef0d9;color:#8a4b00}.k-non-strict.badge,.v-non-strict.badge{background:#fff4d6;color:#6b4b00}
.k-unimplemented.badge,.v-unimplemented.badge{background:#f3e8fd;color:#6a1b9a}.k-blocked.badge,.v-blocked.badge{background:#feefe3;color:#9a4b00}
.k-intermittent.badge{background:#e8f0fe;color:#174ea6}.k-harness-error.badge{background:#e8eaed;color:#202124}
.k-skip.badge,.v-skip.badge,.k-not-applicable.badge,.v-not-applicable.badge,.v-untested.badge{background:#f1f3f4;color:#5f6368}
.v-mixed.badge{background:#e8eaed;color:#202124}
ul.findings{list-style:none;padding:0;margin:.3rem 0}
ul.findings li{display:grid;grid-template-columns:max-content 1fr;gap:0 .6rem;padding:.3rem .5rem;margin:.2rem 0;background:#fafafa;border:1px solid #eee;border-radius:4px}
ul.findings .lbl{font-weight:600;color:#3c4043}
.cmd{display:block;margin:.25rem 0;padding:.3rem .5rem;background:#202124;color:#e8eaed;border-radius:4px;overflow-wrap:anywhere;white-space:pre-wrap}
.links{margin:.2rem 0}.links a{margin-right:.6rem}.reason{font-weight:400}
details>summary{cursor:pointer;color:#0b57d0}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e3e3e8;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f6}
table.reqs th{position:sticky;top:0;z-index:1}
table.reqs{table-layout:fixed}table.reqs col.c-id{width:7.5rem}table.reqs col.c-level{width:5.5rem}table.reqs col.c-verdict{width:10rem}table.reqs col.c-cases{width:34%}
table.reqs code{overflow-wrap:anywhere}
.scroll{overflow-x:auto;max-width:100%}
.cell-pass{background:#e6f4ea}.cell-fail{background:#fce8e6}.cell-warn{background:#fef0d9}.cell-non-strict{background:#fff4d6}.cell-unimplemented{background:#f3e8fd}.cell-blocked{background:#feefe3}.cell-skip,.cell-not-applicable,.cell-untested{background:#f1f3f4}
.filters{display:flex;gap:.3rem 1rem;flex-wrap:wrap;align-items:center;margin:.5rem 0;padding:.5rem .7rem;background:#f4f4f6;border-radius:6px}
.filters label{user-select:none;white-space:nowrap}.filters input[type=search]{font:inherit;padding:.2rem .4rem;min-width:12rem;max-width:100%}
.cases-list div{margin:.05rem 0}
.partial{padding:.7rem .9rem;margin:.6rem 0;border:2px solid #b06000;border-radius:6px;background:#fef0d9;color:#5c3200}
table.matrix thead tr.meta th,table.matrix thead tr.meta td{font-weight:400;font-size:13px;background:#fafafb;white-space:nowrap}
table.matrix thead tr.meta th{text-align:right;color:#3c4043}table.matrix thead tr.meta.wrap td{white-space:normal}table.matrix th.impl{min-width:9rem}
table.matrix td.cell a{color:inherit;text-decoration:underline dotted}table.matrix td.cell a:hover{text-decoration:underline}
table.matrix tfoot td,table.matrix tfoot th{font-size:13px;background:#fafafb}table.matrix tfoot th{text-align:right;font-weight:600}
table.matrix .partial-col{background:#fef0d9}
@media (max-width:720px){
  body{padding:.7rem .7rem 2rem;font-size:14px}
  dl.run{grid-template-columns:1fr}dl.run div{grid-template-columns:7rem 1fr}
  ul.findings li{grid-template-columns:1fr}
  table.reqs,table.reqs tbody,table.reqs tr,table.reqs td{display:block;width:100%}
  table.reqs thead{display:none}
  table.reqs tr.req{border:1px solid #e3e3e8;border-radius:6px;margin:.5rem 0;padding:.3rem .4rem}
  table.reqs td{border:0;padding:.15rem .2rem}
  table.reqs td:nth-child(-n+3){display:inline-block;width:auto;margin-right:.4rem}
  .filters input[type=search]{min-width:0;width:100%}
  table.matrix .text{display:none}table.matrix thead tr.meta th,table.matrix tfoot th{text-align:left}
}`;

export const SCRIPT = `
(function(){
  var boxes=document.querySelectorAll('.filters input[type=checkbox]');
  var search=document.getElementById('search');
  if(!search)return;
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

/**
 * One run's report.html. Several results (the library API) give the merged
 * matrix without links to per-run reports; `relaylab report --merge` links
 * each cell to the run's own report.html (merge.ts).
 */
export function toReportHtml(results: SuiteResult[]): string {
  const only = results.length === 1 ? results[0] : undefined;
  if (!only) return toMergedHtml(results.map((result) => ({ result, name: result.label ?? result.target.url, file: null, href: null, anchors: null })));
  return page(`Relay conformance: ${only.label ? `${only.label} (${only.target.url})` : only.target.url}`, `${partialBanner(only)}${single(only)}`);
}

/** The page around a report's body: self-contained, one inline style and script. */
export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><h1>${escapeHtml(title)}</h1>${body}<script>${SCRIPT}</script></body></html>\n`;
}

/** A run stopped early (Ctrl-C): said before anything else, since every count below is of the cases that finished. */
function partialBanner(result: SuiteResult): string {
  const partial = partialOf(result);
  if (!partial) return '';
  return `<div class="partial" id="partial" role="alert"><strong>Partial run: stopped early by ${escapeHtml(partial.signal)}.</strong> ${escapeHtml(sentence(partial.note))} The verdicts below cover only what finished; rerun without interrupting it for a full report.</div>`;
}

/** The element id of every case block, as single() writes them (merge.ts links matrix cells to them). */
export function caseAnchors(result: SuiteResult): Map<string, string> {
  const a = new Anchors('', result);
  return new Map(result.cases.map((c) => [c.caseId, a.kase(c.caseId)]));
}

/** Element ids for one result's cases and requirements; `prefix` keeps several results apart in a merged report. */
class Anchors {
  private readonly cases = new Map<string, string>();
  constructor(readonly prefix: string, result: SuiteResult) {
    const used = new Set<string>();
    for (const c of result.cases) {
      const base = `${prefix}case-${c.caseId.replace(/[^A-Za-z0-9-]/g, '_')}`;
      let id = base;
      for (let n = 2; used.has(id); n += 1) id = `${base}-${n}`;
      used.add(id);
      this.cases.set(c.caseId, id);
    }
  }
  kase(caseId: string): string {
    return this.cases.get(caseId) ?? `${this.prefix}case-unknown`;
  }
  has(caseId: string): boolean {
    return this.cases.has(caseId);
  }
  requirement(id: string): string {
    return `${this.prefix}req-${id}`;
  }
  failure(id: string): string {
    return `${this.prefix}fail-${id}`;
  }
  section(name: string): string {
    return `${this.prefix}${name}`;
  }
}

interface View {
  result: SuiteResult;
  a: Anchors;
  cases: Map<string, CaseResult>;
  requirements: Map<string, RequirementResult>;
  /** Whether the report has a requirement table row for each requirement (single reports; merged ones have the matrix). */
  table: boolean;
}

function single(result: SuiteResult, prefix = '', table = true): string {
  const v: View = { result, a: new Anchors(prefix, result), cases: new Map(result.cases.map((c) => [c.caseId, c])), requirements: new Map(result.requirements.map((r) => [r.id, r])), table };
  const failures = failureEntries(v);
  const counts = (k: CaseVerdict) => result.cases.filter((c) => c.verdict === k).length;
  const toc: Array<[string, string, number | null]> = [
    ['root-causes', 'Root causes', result.rootCauses.length],
    ['unimplemented', 'Unimplemented endpoints', result.unimplemented.length],
    ['failures', 'Failures by requirement', failures.length],
    ['non-strict', 'Non-strict', counts('non-strict')],
    ['intermittent', 'Intermittent', counts('intermittent')],
    ['blocked', 'Blocked', counts('blocked')],
    ['skipped', 'Skipped / not applicable', counts('skip') + counts('not-applicable')],
    ...(counts('harness-error') > 0 ? [['harness-errors', 'Suite errors', counts('harness-error')] as [string, string, number]] : []),
    ['performance', 'PERF-1 latency', null],
    ['facts', 'Facts', null],
    ...(table ? [['requirements', 'Requirements', result.requirements.length] as [string, string, number]] : []),
  ];
  const nav = `<nav class="toc">${toc.map(([id, name, n]) => `<a href="#${v.a.section(id)}">${escapeHtml(name)}${n === null ? '' : ` (${n})`}</a>`).join('')}</nav>`;
  return [
    header(v),
    nav,
    `<section id="${v.a.section('fix-first')}"><h2>What to fix first</h2>${rootCauses(v)}${unimplemented(v)}${failuresSection(v, failures)}</section>`,
    nonStrictSection(v),
    intermittentSection(v),
    blockedSection(v),
    skippedSection(v),
    harnessSection(v),
    performanceSection(v),
    factsSection(v),
    table ? requirementsSection(v) : '',
    legend(),
  ].join('\n');
}

function header(v: View): string {
  const { result } = v;
  const t = result.time;
  const o = result.options;
  const exitText: Record<number, string> = {
    0: 'exit 0: the run passes (no MUST fails, is unimplemented or blocked)',
    1: `exit 1: the run fails (a MUST fails, is unimplemented or blocked${o.strict ? '; --strict: or a non-strict finding' : ''}${o.failOnSkip ? '; --fail-on-skip: or a MUST was skipped' : ''})`,
    70: 'exit 70: the suite itself broke (a harness error, a relaylab bug); its verdicts are incomplete',
    130: 'exit 130: stopped by Ctrl-C; only the cases that finished were judged',
  };
  const warp = o.warp > 1 ? `${o.warp}x: --time-warp ${o.warp} started the relay under libfaketime, its clock ${o.warp} times faster; ${t.warpCheck ? `check: ${t.warpCheck}` : 'the suite did not check that it took effect'}` : 'none (--time-warp not given)';
  const strategy = t.strategy === 'unavailable' ? `unavailable: expiry cases skipped (${t.unavailableReason ?? 'no reason given'})` : t.strategy === 'real-time' ? `real-time: waited out the TTL${o.warp > 1 && t.ttlSeconds !== null ? ` (${t.ttlSeconds} s of relay time, ${seconds(t.ttlSeconds / o.warp)} s of real time at --time-warp ${o.warp})` : ''}; --max-wait ${t.maxWaitSeconds} s` : 'test-clock: moved the relay clock with POST /api/test/clock (SPEC TEST-1)';
  const rows: Array<[string, string]> = [
    ...(result.label ? [['label', escapeHtml(result.label)] as [string, string]] : []),
    ['target', `<code>${escapeHtml(result.target.url)}</code>`],
    ['auth', escapeHtml(result.target.auth === 'mtls' ? 'mtls (client certificate on the TLS connection)' : `${result.target.auth} (client certificate in a header)`)],
    ['seed', `<code>${result.seed}</code> (rerun with <code>--seed ${result.seed}</code> for the same inputs)`],
    ['started', escapeHtml(result.startedAt)],
    ['duration', `${(result.durationMs / 1000).toFixed(1)} s`],
    ['declared TTL', t.ttlSeconds === null ? 'unknown: the relay declared no usable <code>expires_in</code>' : `${t.ttlSeconds} s (<code>expires_in</code>)`],
    ['expiry strategy', escapeHtml(strategy)],
    ['warp', escapeHtml(warp)],
    ['concurrency', `${o.concurrency} case(s) at once`],
    ['strict', o.strict ? 'yes: non-strict findings fail the run (--strict)' : 'no: non-strict findings do not fail the run'],
    ...(o.failOnSkip ? [['fail on skip', 'yes: a skipped MUST fails the run (--fail-on-skip)'] as [string, string]] : []),
    ...(o.production ? [['production', 'yes: the test-control profile must be absent and was never used'] as [string, string]] : []),
    ['selection', result.only.length > 0 ? `<code>--only ${escapeHtml(result.only.join(','))}</code>` : 'every case'],
    ...(result.baseline.patterns.length > 0 ? [['baseline', `${escapeHtml(result.baseline.source ?? '--baseline')}: ${escapeHtml(result.baseline.patterns.join(', '))}`] as [string, string]] : []),
    ...(o.targetCmd ? [['target command', `<code>${escapeHtml(o.targetCmd)}</code>`] as [string, string]] : []),
    ...(o.untrustedSource ? [['untrusted source', `<code>${escapeHtml(o.untrustedSource)}</code>`] as [string, string]] : []),
    ['command', `<code>${escapeHtml(result.invocation ?? `relaylab conformance --target ${result.target.url}`)}</code>`],
    ['tool', escapeHtml(result.tool)],
  ];
  const harness = result.cases.filter((c) => c.verdict === 'harness-error').length;
  const harnessNote = harness > 0 ? ` <a href="#${v.a.section('harness-errors')}">The suite itself broke in ${plural(harness, 'case')}: a relaylab bug, not the relay's.</a>` : '';
  const chips = (title: string, values: string[], order: string[], prefix: string) => `<p class="counts"><strong>${title}</strong>${order.map((k) => [k, values.filter((x) => x === k).length] as const).filter(([, n]) => n > 0).map(([k, n]) => `<span class="badge ${prefix}-${k}">${n} ${escapeHtml(k)}</span>`).join('')}</p>`;
  return `<div class="result exit-${result.exitCode}"><span class="headline">${escapeHtml(exitText[result.exitCode] ?? `exit ${result.exitCode}`)}</span><span class="line">${escapeHtml(resultLine(result))}</span>${harnessNote}</div>
${chips('Requirements', result.requirements.map((r) => r.verdict), REQUIREMENT_VERDICTS, 'v')}${chips('Cases', result.cases.map((c) => c.verdict), CASE_KINDS, 'k')}
<dl class="run">${rows.map(([k, val]) => `<div${WIDE_ROWS.has(k) ? ' class="wide"' : ''}><dt>${escapeHtml(k)}</dt><dd>${val}</dd></div>`).join('')}</dl>`;
}

/** Seconds for text: whole when whole, else one decimal. */
const seconds = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(1));

const WIDE_ROWS = new Set(['expiry strategy', 'warp', 'baseline', 'target command', 'command']);

function rootCauses(v: View): string {
  const { result, a } = v;
  const items = result.rootCauses.map((cause, i) => {
    const req = v.requirements.get(cause.requirement);
    return `<article class="item root" id="${a.section(`root-cause-${i + 1}`)}">
<h4>${escapeHtml(cause.key)} <span class="muted">for ${plural(cause.caseIds.length, 'case')}</span></h4>
<p>Breaks ${reqLink(v, cause.requirement)}${req ? ` (${req.level}): ${escapeHtml(req.text)}` : ''}</p>
<pre>expected: ${escapeHtml(cause.expected)}\nactual:   ${escapeHtml(cause.actual)}</pre>
<p>Left unchecked: ${cause.blocks.map((id) => reqLink(v, id)).join(', ')}. <a href="#${a.section(`blocked-${i + 1}`)}">The ${plural(cause.caseIds.length, 'blocked case')}</a></p>
${cmd('rerun once fixed', rerunCommand(result, casesPattern(result, cause.caseIds)))}
</article>`;
  });
  return `<section id="${a.section('root-causes')}"><h3>Root causes</h3>${items.length > 0 ? `<p class="muted">A setup step (register, ready) failed, so the cases behind it could not check their own requirement. Fix these first: each is a failure of the requirement it breaks.</p>${items.join('')}` : '<p>None: no setup step failed.</p>'}</section>`;
}

function unimplemented(v: View): string {
  const { result, a } = v;
  const items = result.unimplemented.map((e) => `<article class="item v-unimplemented">
<h4><code>${escapeHtml(e.endpoint)}</code> <span class="muted">answered HTTP ${e.status}: not implemented</span></h4>
<p>SPEC defines it; ${plural(e.caseIds.length, 'case')} need it. Left unchecked: ${e.blocks.map((id) => reqLink(v, id)).join(', ')}</p>
${cmd('rerun once implemented', rerunCommand(result, casesPattern(result, e.caseIds)))}
<details><summary>${plural(e.caseIds.length, 'case')}</summary>${e.caseIds.map((id) => v.cases.get(id)).filter(isCase).map((c) => caseBlock(v, c)).join('')}</details>
</article>`);
  return `<section id="${a.section('unimplemented')}"><h3>Unimplemented endpoints</h3>${items.length > 0 ? items.join('') : '<p>None: every endpoint the cases used exists.</p>'}</section>`;
}

interface FailureEntry {
  requirement: RequirementResult;
  /** Cases whose detail is shown here (each case is shown once, under its first failure entry). */
  home: CaseResult[];
  /** Every failing case, linked. */
  failing: CaseResult[];
}

/** Requirements that fail or warn: not baselined first, then MUST, SHOULD, MAY, then SPEC order. */
function failureEntries(v: View): FailureEntry[] {
  const reqs = v.result.requirements
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => r.verdict === 'fail' || r.verdict === 'warn')
    .sort((x, y) => Number(x.r.baselined) - Number(y.r.baselined) || LEVEL_ORDER.indexOf(x.r.level) - LEVEL_ORDER.indexOf(y.r.level) || x.i - y.i)
    .map(({ r }) => r);
  const placed = new Set<string>();
  return reqs.map((r) => {
    const failing = r.failingCaseIds.map((id) => v.cases.get(id)).filter(isCase);
    const home = failing.filter((c) => c.verdict === 'fail' && !placed.has(c.caseId));
    home.forEach((c) => placed.add(c.caseId));
    return { requirement: r, home, failing };
  });
}

function failuresSection(v: View, entries: FailureEntry[]): string {
  const { result, a } = v;
  const shown = new Set(entries.flatMap((e) => e.home.map((c) => c.caseId)));
  // Failing cases none of whose requirements fail here (a finding under a requirement judged otherwise): still shown.
  const orphans = result.cases.filter((c) => c.verdict === 'fail' && !shown.has(c.caseId));
  const items = entries.map((e) => {
    const r = e.requirement;
    const byKind = (k: CaseVerdict) => e.failing.filter((c) => c.verdict === k);
    const blockedHere = byKind('blocked');
    // Linked by kind: fail first, then intermittent, then the rest (blocked ones go by their root cause, below).
    const kinds = [...new Set(e.failing.filter((c) => c.verdict !== 'blocked').map((c) => kindUnder(c, r.id)))].sort((x, y) => CASE_KINDS.indexOf(x as CaseVerdict) - CASE_KINDS.indexOf(y as CaseVerdict));
    const links = kinds.map((kind) => {
      const cases = e.failing.filter((c) => c.verdict !== 'blocked' && kindUnder(c, r.id) === kind);
      return `<p class="links"><span class="badge k-${kind}">${escapeHtml(kind)}</span> ${cases.map((c) => `<a href="#${a.kase(c.caseId)}"><code>${escapeHtml(c.caseId)}</code></a>`).join(' ')}</p>`;
    });
    const causes = result.rootCauses.map((cause, i) => ({ cause, i })).filter(({ cause }) => cause.requirement === r.id);
    const causeText = causes.map(({ cause, i }) => `<li>root cause <a href="#${a.section(`root-cause-${i + 1}`)}">${escapeHtml(cause.key)}</a>: ${plural(cause.caseIds.length, 'blocked case')}</li>`);
    const blockedOther = blockedHere.filter((c) => !causes.some(({ cause }) => cause.caseIds.includes(c.caseId)));
    const rerunIds = e.failing.filter((c) => c.verdict === 'fail' || c.verdict === 'non-strict' || c.verdict === 'unimplemented' || (c.verdict === 'blocked' && c.requirements[0] === r.id)).map((c) => c.caseId);
    const intermittent = byKind('intermittent');
    const verdictText = r.verdict === 'warn' ? `warn: a ${r.level} fails (does not fail the run)` : 'fail';
    return `<article class="item v-${r.verdict}${r.baselined ? ' baselined' : ''}" id="${a.failure(r.id)}">
<h4><span class="badge v-${r.verdict}">${escapeHtml(verdictText)}</span>${r.baselined ? ' <span class="badge">baselined: does not fail the run</span>' : ''} ${reqLink(v, r.id)} <span class="muted">(${r.level})</span></h4>
<p>${escapeHtml(r.text)}</p>
${links.length > 0 ? `<div class="failing"><span class="muted">Failing cases:</span>${links.join('')}</div>` : ''}
${causeText.length > 0 || blockedOther.length > 0 ? `<ul>${causeText.join('')}${blockedOther.map((c) => `<li>blocked: <a href="#${a.kase(c.caseId)}"><code>${escapeHtml(c.caseId)}</code></a></li>`).join('')}</ul>` : ''}
${rerunIds.length > 0 ? cmd(`rerun ${r.id}`, rerunCommand(result, requirementPattern(r.id, rerunIds))) : ''}
${intermittent.length > 0 ? `<p>${plural(intermittent.length, 'case')} failed only under concurrency (<a href="#${a.section('intermittent')}">intermittent</a>); alone they pass, so reproduce with the whole run:</p>${cmd('rerun the run', rerunRunCommand(result))}` : ''}
${e.home.map((c) => caseBlock(v, c)).join('')}
</article>`;
  });
  if (orphans.length > 0) items.push(`<article class="item v-fail"><h4>Other failing cases</h4>${orphans.map((c) => caseBlock(v, c)).join('')}</article>`);
  const body = items.length > 0 ? `<p class="muted">MUST first. Each case: expected and actual, every finding, the exchanges, its repro script and rerun command.</p>${items.join('')}` : '<p>None: no requirement fails.</p>';
  return `<section id="${a.section('failures')}"><h3>Failures by requirement</h3>${body}</section>`;
}

/** What a failing case is under one requirement: the outcome of its findings there, else its kind. */
function kindUnder(c: CaseResult, requirementId: string): string {
  const findings = c.findings.filter((f) => f.requirement === requirementId);
  if (c.verdict === 'intermittent') return 'intermittent';
  if (findings.some((f) => f.outcome === 'fail')) return c.verdict === 'fail' ? 'fail' : c.verdict;
  if (findings.length > 0) return 'non-strict';
  return c.verdict;
}

function nonStrictSection(v: View): string {
  const { result, a } = v;
  const cases = result.cases.filter((c) => c.verdict === 'non-strict');
  const alsoIn = result.cases.filter((c) => c.verdict !== 'non-strict' && c.verdict !== 'harness-error' && c.verdict !== 'intermittent' && c.findings.some((f) => f.outcome === 'non-strict'));
  const under = [...new Set([...cases, ...alsoIn].flatMap((c) => c.findings.filter((f) => f.outcome === 'non-strict').map((f) => f.requirement)))];
  const reqText = under.map((id) => `${reqLink(v, id)}${v.requirements.get(id) ? ` (${v.requirements.get(id)?.level})` : ''}`).join(', ') || reqLink(v, 'ERR-1');
  const effect = result.options.strict ? 'With --strict they fail this run.' : 'They do not fail the run; --strict makes them fail it.';
  const intro = `<p class="muted">The status and the state were right; only a detail clients do not rely on differs (the error <code>code</code>, the error body shape). Counted under ${reqText}, never under the case's own requirement. ${effect}</p>`;
  const also = alsoIn.length > 0 ? `<p>Non-strict findings also in: ${alsoIn.map((c) => `<a href="#${a.kase(c.caseId)}"><code>${escapeHtml(c.caseId)}</code></a> <span class="badge k-${c.verdict}">${c.verdict}</span>`).join(' ')}</p>` : '';
  const body = cases.length + alsoIn.length > 0 ? `${intro}${cases.length > 0 ? `<div class="item k-non-strict">${cases.map((c) => caseBlock(v, c)).join('')}</div>` : ''}${also}` : '<p>None.</p>';
  return `<section id="${a.section('non-strict')}"><h2>Non-strict</h2>${body}</section>`;
}

function intermittentSection(v: View): string {
  const { result, a } = v;
  const cases = result.cases.filter((c) => c.verdict === 'intermittent');
  const body = cases.length > 0
    ? `<p class="muted">These failed in the run, with other cases in flight, and passed when rerun alone: the relay answers differently under concurrent requests. Counted under ${reqLink(v, 'ERR-5')} (concurrency), not under the case's own requirement. A case rerun alone passes, so reproduce with the whole run at the same concurrency:</p>${cmd('rerun the run', rerunRunCommand(result))}<div class="item k-intermittent">${cases.map((c) => caseBlock(v, c)).join('')}</div>`
    : '<p>None: every failure reproduced alone, or nothing failed.</p>';
  return `<section id="${a.section('intermittent')}"><h2>Intermittent under concurrency</h2>${body}</section>`;
}

function blockedSection(v: View): string {
  const { result, a } = v;
  const blocked = result.cases.filter((c) => c.verdict === 'blocked');
  const groups = result.rootCauses.map((cause, i) => {
    const cases = cause.caseIds.map((id) => v.cases.get(id)).filter(isCase).filter((c) => c.verdict === 'blocked');
    return `<section class="item k-blocked" id="${a.section(`blocked-${i + 1}`)}"><h3>${escapeHtml(cause.key)} <span class="muted">(<a href="#${a.section(`root-cause-${i + 1}`)}">root cause</a>, breaks ${escapeHtml(cause.requirement)}): ${plural(cases.length, 'case')}</span></h3>${cases.map((c) => caseBlock(v, c)).join('')}</section>`;
  });
  const grouped = new Set(result.rootCauses.flatMap((r) => r.caseIds));
  const loose = blocked.filter((c) => !grouped.has(c.caseId));
  if (loose.length > 0) groups.push(`<section class="item k-blocked"><h3>Blocked, no root cause recorded</h3>${loose.map((c) => caseBlock(v, c)).join('')}</section>`);
  return `<section id="${a.section('blocked')}"><h2>Blocked cases, by root cause</h2>${groups.length > 0 ? `<p class="muted">Not checked: a setup step failed first. Fix the root cause and rerun.</p>${groups.join('')}` : '<p>None.</p>'}</section>`;
}

function skippedSection(v: View): string {
  const { result, a } = v;
  const groups = new Map<string, CaseResult[]>();
  for (const c of result.cases) {
    if (c.verdict !== 'skip' && c.verdict !== 'not-applicable') continue;
    const key = `${c.verdict}\u0000${c.skipReason ?? 'no reason given'}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const items = [...groups].map(([key, cases]) => {
    const [kind = 'skip', reason = ''] = key.split('\u0000');
    return `<div class="item k-${kind}"><h4><span class="badge k-${kind}">${escapeHtml(kind)}</span> <span class="reason">${escapeHtml(reason)}</span></h4><ul>${cases.map((c) => `<li id="${a.kase(c.caseId)}"><code>${escapeHtml(c.caseId)}</code> <span class="muted">(${c.requirements.map((id) => escapeHtml(id)).join(', ')}: ${escapeHtml(c.title)})</span></li>`).join('')}</ul></div>`;
  });
  const musts = result.requirements.filter((r) => r.level === 'MUST' && r.verdict === 'skip').map((r) => r.id);
  const mustNote = musts.length > 0 ? `<p>${musts.length} MUST requirement(s) skipped, not checked, never counted as passing: ${musts.map((id) => reqLink(v, id)).join(', ')}${result.options.failOnSkip ? ' (--fail-on-skip: they fail the run)' : ' (--fail-on-skip makes them fail the run)'}.</p>` : '';
  return `<section id="${a.section('skipped')}"><h2>Skipped and not applicable</h2>${items.length > 0 ? `${mustNote}${items.join('')}` : '<p>None.</p>'}</section>`;
}

function harnessSection(v: View): string {
  const cases = v.result.cases.filter((c) => c.verdict === 'harness-error');
  if (cases.length === 0) return '';
  return `<section id="${v.a.section('harness-errors')}"><h2>Suite errors (harness errors)</h2><p class="muted">relaylab itself broke in these cases: a bug of the suite, not a failure of the relay (exit 70). Please report it with results.json; the requirements these cases check were not judged by them.</p><div class="item k-harness-error">${cases.map((c) => caseBlock(v, c)).join('')}</div></section>`;
}

function performanceSection(v: View): string {
  const { result, a } = v;
  const fmt = (ms: number) => (Number.isInteger(ms) ? String(ms) : ms.toFixed(1));
  const table = result.performance
    ? `<div class="scroll"><table class="perf"><thead><tr><th>Endpoint</th><th>Requests</th><th>p50 (ms)</th><th>p99 (ms)</th></tr></thead><tbody>${result.performance.map((p) => `<tr><td><code>${escapeHtml(p.endpoint)}</code></td><td>${p.requests}</td><td>${fmt(p.p50Ms)}</td><td>${fmt(p.p99Ms)}</td></tr>`).join('')}</tbody></table></div>`
    : '';
  const note = result.performanceNote ? `<p>${escapeHtml(result.performanceNote)}</p>` : result.performance ? '' : '<p>Not measured.</p>';
  return `<section id="${a.section('performance')}"><h2>PERF-1 latency</h2>${v.requirements.has('PERF-1') ? `<p class="muted">${reqLink(v, 'PERF-1')} (${v.requirements.get('PERF-1')?.level}): ${escapeHtml(v.requirements.get('PERF-1')?.text)}</p>` : ''}${table}${note}</section>`;
}

function factsSection(v: View): string {
  const facts = Object.entries(v.result.facts);
  return `<section id="${v.a.section('facts')}"><h2>Facts</h2>${facts.length > 0 ? `<ul>${facts.map(([k, val]) => `<li>${escapeHtml(k)}: ${escapeHtml(val)}</li>`).join('')}</ul>` : '<p>None recorded.</p>'}</section>`;
}

function requirementsSection(v: View): string {
  const rows = v.result.requirements.map((r) => requirementRow(v, r)).join('');
  return `<section id="${v.a.section('requirements')}"><h2>Requirements</h2>${filters()}
<table class="reqs"><colgroup><col class="c-id"><col class="c-level"><col class="c-verdict"><col class="c-text"><col class="c-cases"></colgroup><thead><tr><th>Id</th><th>Level</th><th>Verdict</th><th>Requirement</th><th>Cases</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function legend(): string {
  return `<section><h2>Kinds</h2><ul>${CASE_KINDS.map((k) => `<li><span class="badge k-${k}">${k}</span> ${escapeHtml(KIND_MEANING[k])}</li>`).join('')}</ul></section>`;
}

export function filters(): string {
  const box = (value: string) => `<label><input type="checkbox" value="${value}" checked> ${value}</label>`;
  return `<div class="filters"><strong>Level</strong>${LEVEL_ORDER.map(box).join('')}<strong>Verdict</strong>${[...REQUIREMENT_VERDICTS, 'mixed'].map(box).join('')}<input id="search" type="search" placeholder="filter text" aria-label="filter requirements by text"></div>`;
}

function requirementRow(v: View, r: RequirementResult): string {
  const cases = r.caseIds.map((id) => v.cases.get(id)).filter(isCase);
  const list = cases.map((c) => {
    const kind = r.failingCaseIds.includes(c.caseId) ? kindUnder(c, r.id) : c.verdict;
    const linked = c.verdict !== 'pass' && v.a.has(c.caseId);
    const reason = c.skipReason ? ` <span class="muted">(${escapeHtml(c.skipReason)})</span>` : '';
    return `<div>${linked ? `<a href="#${v.a.kase(c.caseId)}"><code>${escapeHtml(c.caseId)}</code></a>` : `<code>${escapeHtml(c.caseId)}</code>`} <span class="badge k-${c.verdict}">${escapeHtml(kind)}</span>${reason}</div>`;
  }).join('');
  const verdict = r.baselined ? `${r.verdict} (baselined)` : r.verdict;
  const failLink = (r.verdict === 'fail' || r.verdict === 'warn') ? ` <a href="#${v.a.failure(r.id)}">details</a>` : '';
  return `<tr class="req" id="${v.a.requirement(r.id)}" data-level="${r.level}" data-verdict="${r.verdict}"><td><strong>${escapeHtml(r.id)}</strong></td><td>${r.level}</td><td><span class="badge v-${r.verdict}">${escapeHtml(verdict)}</span>${failLink}</td><td>${escapeHtml(r.text)}</td><td class="cases-list">${list}</td></tr>`;
}

function caseBlock(v: View, c: CaseResult): string {
  const { result } = v;
  const stability = c.verdict === 'intermittent'
    ? `failed with ${c.concurrency} case(s) at once, passed when rerun alone; ${c.attempts} attempts`
    : c.stability === 'deterministic' ? `deterministic: failed on every rerun alone; ${c.attempts} attempts` : c.attempts > 1 ? `${c.attempts} attempts` : '';
  const ea = c.expected !== null || c.actual !== null ? `<pre>expected: ${escapeHtml(c.expected)}\nactual:   ${escapeHtml(c.actual)}</pre>` : '';
  const findings = c.findings.length > 0
    ? `<ul class="findings">${c.findings.map((f) => `<li><span class="lbl">${escapeHtml(f.requirement)}</span><span><span class="badge k-${f.outcome}">${escapeHtml(f.outcome)}</span>${v.requirements.get(f.requirement) ? ` <span class="muted">${v.requirements.get(f.requirement)?.level}</span>` : ''}</span><span class="lbl">expected</span><span class="mono">${escapeHtml(f.expected)}</span><span class="lbl">actual</span><span class="mono">${escapeHtml(f.actual)}</span></li>`).join('')}</ul>`
    : '';
  const blocker = c.blocker ? `<p>Blocked at step <strong>${escapeHtml(c.blocker.step)}</strong>: ${escapeHtml(c.blocker.key)} (breaks ${reqLink(v, c.blocker.requirement)})</p>` : '';
  const missing = c.unimplemented ? `<p>Missing endpoint: <code>${escapeHtml(c.unimplemented)}</code></p>` : '';
  const notes = c.notes.length > 0 ? `<ul class="muted">${c.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : '';
  const baselined = (c.verdict === 'fail' || c.verdict === 'unimplemented' || c.verdict === 'blocked') && isBaselinedCase(result, c) ? ' <span class="badge">baselined</span>' : '';
  const rerun = c.verdict === 'intermittent'
    ? cmd('rerun the run (alone it passes)', rerunRunCommand(result))
    : c.verdict === 'harness-error' ? '' : cmd('rerun', rerunCommand(result, caseGlob(c.caseId)));
  const repro = reproPathOf(c);
  const exchanges = c.exchanges.length > 0
    ? `<details><summary>${plural(c.exchanges.length, 'exchange')}</summary><pre>${escapeHtml(c.exchanges.map(exchangeText).join('\n\n'))}</pre></details>`
    : '<p class="muted">No exchanges recorded.</p>';
  const failed = c.verdict === 'fail' ? ` <span class="muted">fails ${failedRequirementsOf(c).map((id) => escapeHtml(id)).join(', ')}</span>` : '';
  return `<div class="case" id="${v.a.kase(c.caseId)}">
<h5><span class="badge k-${c.verdict}">${c.verdict}</span>${baselined} <code>${escapeHtml(c.caseId)}</code>${failed}</h5>
<p>${escapeHtml(c.title)} <span class="muted">(${c.requirements.map((id) => reqLink(v, id)).join(', ')}${stability ? `; ${escapeHtml(stability)}` : ''}; ${(c.durationMs / 1000).toFixed(2)} s)</span></p>
${ea}${findings}${blocker}${missing}${notes}${rerun}${repro ? `<p>Repro script: <a class="repro" href="${escapeHtml(repro)}"><code>${escapeHtml(repro)}</code></a> <span class="muted">(in the reports folder; replays the exchanges with curl)</span></p>` : ''}${exchanges}
</div>`;
}

function cmd(label: string, command: string): string {
  return `<div class="rerun"><span class="muted">${escapeHtml(label)}:</span><code class="cmd">${escapeHtml(command)}</code></div>`;
}

function reqLink(v: View, id: string): string {
  return v.table && v.requirements.has(id) ? `<a href="#${v.a.requirement(id)}">${escapeHtml(id)}</a>` : escapeHtml(id);
}

const isCase = (c: CaseResult | undefined): c is CaseResult => c !== undefined;

export function exchangeText(e: Exchange): string {
  const req = e.request;
  const head = [`> ${req.method} ${req.path}${req.identity ? `   [client certificate: ${req.identity}]` : ''}${req.localAddress ? `   [from ${req.localAddress}]` : ''}`];
  for (const [k, v] of Object.entries(req.headers)) head.push(`> ${k}: ${v.length > 120 ? `${v.slice(0, 120)}…` : v}`);
  if (req.body !== null) head.push('>', `> ${req.body.length > 2000 ? `${req.body.slice(0, 2000)}… (${req.bodyBytes} bytes)` : req.body}`);
  if (!e.response) return `${head.join('\n')}\n< no response: ${e.transportError}`;
  const res = [`< HTTP ${e.response.status}`, ...Object.entries(e.response.headers).map(([k, v]) => `< ${k}: ${v}`), '<', `< ${e.response.body.slice(0, 2000)}${e.response.body.length > 2000 ? `… (${e.response.body.length} characters)` : ''}`];
  return `${head.join('\n')}\n${res.join('\n')}`;
}
