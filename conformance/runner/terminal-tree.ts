/**
 * The terminal view: a progress line while cases run (every case that did
 * not pass printed as it ends, with its kind), then what to fix first (root
 * causes, unimplemented endpoints), the tree section → requirement → cases
 * that did not pass, and one RESULT line. Also the rerun commands and the
 * small judgements the other reports share (baselined cases, id lists).
 */
import { globToRegExp, matchesAny } from './glob.ts';
import type { TimeFacts } from './time-control.ts';
import type { CaseResult, CaseVerdict, Level, RequirementResult, RequirementVerdict, SuiteResult } from './types.ts';

export const REQUIREMENT_MARK: Record<RequirementVerdict, string> = {
  pass: '✓', fail: '✗', warn: '!', 'non-strict': '~', unimplemented: '∅', blocked: '⊘', skip: '-', 'not-applicable': '○', untested: '·',
};
export const BASELINED_MARK = '≈';
export const CASE_MARK: Record<CaseVerdict, string> = {
  pass: '✓', 'non-strict': '~', fail: '✗', unimplemented: '∅', blocked: '⊘', intermittent: '≋', skip: '-', 'not-applicable': '○', 'harness-error': '‼',
};

/** What each case kind means, for legends (report.html, junit.xml). */
export const KIND_MEANING: Record<CaseVerdict, string> = {
  pass: 'every check held',
  'non-strict': 'status and state right; only the error code or error body shape differs (counted under ERR-1)',
  fail: 'a wrong status, wrong state, a 5xx or a dropped connection',
  unimplemented: 'an endpoint the case needs answered 404/405: it does not exist',
  blocked: 'a setup step (register, ready) failed, so the requirement was not checked; see the root cause',
  intermittent: 'failed in the run, passed when rerun alone (counted under ERR-5, concurrency)',
  skip: 'could not be checked here; the reason says which option enables it',
  'not-applicable': 'a conditional requirement whose condition is absent',
  'harness-error': 'the suite itself broke: a relaylab bug, not a relay failure (exit 70)',
};

/** Kinds that are a defect of the relay (or of the suite), and so keep their exchanges. */
export const DETAILED_KINDS: ReadonlySet<CaseVerdict> = new Set(['non-strict', 'fail', 'unimplemented', 'blocked', 'intermittent', 'harness-error']);

/** What the runner calls its listener with (structurally the runner's SuiteListener). */
export interface TerminalListener {
  onStart?(info: { total: number; time: TimeFacts; targetUrl: string; missingEndpoints?: string[] }): void;
  onCaseEnd?(result: CaseResult, done: number, total: number): void;
  onRerun?(result: CaseResult): void;
}

export interface TerminalOut {
  write(text: string): unknown;
  isTTY?: boolean;
}

export function terminalListener(out: TerminalOut): TerminalListener {
  const live = Boolean(out.isTTY);
  let progress = false;
  const clear = () => {
    if (progress) out.write('\r\x1b[2K');
    progress = false;
  };
  return {
    onStart({ total, time, targetUrl, missingEndpoints }) {
      const timeText = time.strategy === 'unavailable' ? `expiry cases skipped: ${time.unavailableReason}` : `expiry via ${time.strategy}`;
      const warp = time.warp > 1 ? `, relay clock ${time.warp}x faster (--time-warp)${time.warpCheck ? `: ${time.warpCheck}` : ''}` : '';
      out.write(`relaylab conformance → ${targetUrl}: ${total} cases, declared TTL ${time.ttlSeconds ?? '?'} s, ${timeText}${warp}\n`);
      if (missingEndpoints && missingEndpoints.length > 0) out.write(`  endpoints that answered 404/405 (their cases are unimplemented): ${missingEndpoints.join(', ')}\n`);
    },
    onCaseEnd(result, done, total) {
      if (result.verdict !== 'pass') {
        clear();
        out.write(caseLines(result, '  ').join('\n') + '\n');
      }
      if (live && done < total) {
        out.write(`\r\x1b[2K[${done}/${total}] ${result.caseId}`);
        progress = true;
      } else clear();
    },
    onRerun(result) {
      clear();
      const outcome = result.verdict === 'intermittent'
        ? `${CASE_MARK.intermittent} ${result.caseId} intermittent: passed when rerun alone (${result.attempts} attempts); counted under ERR-5`
        : `${CASE_MARK[result.verdict]} ${result.caseId} ${result.verdict}: ${result.stability === 'deterministic' ? `failed again on every rerun alone (${result.attempts} attempts)` : `rerun alone, ${result.attempts} attempts`}`;
      out.write(`  rerun: ${outcome}\n`);
    },
  };
}

/** The lines a case that did not pass prints as it ends. */
function caseLines(c: CaseResult, indent: string): string[] {
  const head = `${indent}${CASE_MARK[c.verdict]} ${c.caseId} ${c.verdict}`;
  const detail = (e: string | null, a: string | null) => [`${indent}    expected: ${firstLine(e)}`, `${indent}    actual:   ${firstLine(a)}`];
  switch (c.verdict) {
    case 'pass':
      return [head];
    case 'fail': {
      const more = c.findings.length > 1 ? [`${indent}    (${c.findings.length} findings: ${[...new Set(c.findings.map((f) => f.requirement))].join(', ')})`] : [];
      return [head, ...detail(c.expected, c.actual), ...more];
    }
    case 'non-strict': {
      const under = [...new Set(c.findings.map((f) => f.requirement))].join(', ') || 'ERR-1';
      return [`${head} (under ${under}): expected ${firstLine(c.expected)}; actual ${firstLine(c.actual)}`];
    }
    case 'unimplemented':
      return [`${head}: ${c.unimplemented ?? 'an endpoint'} is missing (${firstLine(c.actual)})`];
    case 'blocked':
      return [`${head}: ${c.blocker?.key ?? 'a setup step failed'}${c.blocker ? ` (breaks ${c.blocker.requirement})` : ''}`];
    case 'intermittent':
      return [`${head}: failed with ${c.concurrency} case(s) at once, passed when rerun alone; counted under ERR-5`, ...detail(c.expected, c.actual)];
    case 'skip':
    case 'not-applicable':
      return [`${head}: ${c.skipReason ?? 'no reason given'}`];
    case 'harness-error':
      return [`${head} (exit 70): ${firstLine(c.actual)}`];
  }
}

export function renderTree(result: SuiteResult): string {
  const lines: string[] = [];
  const casesById = new Map(result.cases.map((c) => [c.caseId, c]));
  const levels = levelsOf(result);

  const harness = result.cases.filter((c) => c.verdict === 'harness-error');
  if (harness.length > 0) {
    lines.push(`The suite itself broke in ${plural(harness.length, 'case')}: a relaylab bug, not the relay's (exit 70); please report it with results.json`);
    for (const c of harness) lines.push(`  ${CASE_MARK['harness-error']} ${c.caseId}: ${truncate(firstLine(c.actual), 200)}`);
    lines.push('');
  }

  if (result.rootCauses.length > 0 || result.unimplemented.length > 0) {
    lines.push('What to fix first');
    for (const cause of result.rootCauses) {
      lines.push(`  ✗ root cause: ${cause.key} for ${plural(cause.caseIds.length, 'case')} → ${cause.requirement}${levels.has(cause.requirement) ? ` (${levels.get(cause.requirement)})` : ''}`);
      lines.push(`      expected: ${truncate(firstLine(cause.expected), 200)}`, `      actual:   ${truncate(firstLine(cause.actual), 200)}`);
      lines.push(`      blocks: ${compactIds(cause.blocks, result.requirements)}`);
      lines.push(`      rerun: ${rerunCommand(result, casesPattern(result, cause.caseIds))}`);
    }
    for (const endpoint of result.unimplemented) {
      lines.push(`  ${CASE_MARK.unimplemented} unimplemented: ${endpoint.endpoint} answered HTTP ${endpoint.status} for ${plural(endpoint.caseIds.length, 'case')} → blocks ${compactIds(endpoint.blocks, result.requirements)}`);
      lines.push(`      rerun: ${rerunCommand(result, casesPattern(result, endpoint.caseIds))}`);
    }
    lines.push('');
  }

  let section = '';
  for (const requirement of result.requirements) {
    if (requirement.verdict === 'untested' && result.only.length > 0) continue;
    if (requirement.section !== section) {
      section = requirement.section;
      lines.push(section);
    }
    const mark = requirement.baselined ? BASELINED_MARK : REQUIREMENT_MARK[requirement.verdict];
    const verdict = requirement.verdict === 'pass' ? '' : ` ${requirement.verdict}${requirement.baselined ? ' (baselined)' : ''}:`;
    lines.push(`  ${mark} ${requirement.id} (${requirement.level})${verdict} ${truncate(requirement.text, 90)}`);
    const entries = notPassing(requirement, casesById, result);
    lines.push(...entries.lines.map((l) => `      ${l}`));
    if (entries.rerunIds.length > 0) lines.push(`      rerun: ${rerunCommand(result, requirementPattern(requirement.id, entries.rerunIds))}`);
  }

  lines.push('');
  lines.push(`legend: ${(Object.keys(REQUIREMENT_MARK) as RequirementVerdict[]).map((v) => `${REQUIREMENT_MARK[v]} ${v}`).join('  ')}  ${BASELINED_MARK} baselined  ${CASE_MARK.intermittent} intermittent (a case)  ${CASE_MARK['harness-error']} harness error (a case)`);
  for (const [name, value] of Object.entries(result.facts)) lines.push(`${name}: ${value}`);
  if (result.performance) lines.push(`PERF-1 latency: ${result.performance.map((p) => `${p.endpoint} p50 ${p.p50Ms} ms, p99 ${p.p99Ms} ms (${p.requests} requests)`).join('; ')}`);
  else if (result.performanceNote) lines.push(`PERF-1 latency: ${result.performanceNote}`);
  lines.push(`requirements: ${countsText(result.requirements.map((r) => r.verdict), REQUIREMENT_ORDER, { untested: 'untested (not selected, or without a case)' })}; ${result.requirements.filter((r) => r.baselined).length} baselined`);
  lines.push(`cases: ${countsText(result.cases.map((c) => c.verdict), CASE_ORDER)}; ${(result.durationMs / 1000).toFixed(1)} s; seed ${result.seed}; concurrency ${result.options.concurrency}${result.options.warp > 1 ? `; warp ${result.options.warp}x` : ''}`);
  lines.push(resultLine(result));
  return `${lines.join('\n')}\n`;
}

const REQUIREMENT_ORDER: RequirementVerdict[] = ['pass', 'fail', 'warn', 'non-strict', 'unimplemented', 'blocked', 'skip', 'not-applicable', 'untested'];
const CASE_ORDER: CaseVerdict[] = ['pass', 'non-strict', 'fail', 'unimplemented', 'blocked', 'intermittent', 'skip', 'not-applicable', 'harness-error'];

function countsText<K extends string>(values: K[], order: K[], names: Partial<Record<K, string>> = {}): string {
  const parts = order.map((k) => [k, values.filter((v) => v === k).length] as const).filter(([k, n]) => n > 0 || k === 'pass');
  return parts.map(([k, n]) => `${n} ${names[k] ?? k}`).join(', ');
}

/**
 * The cases that did not pass under one requirement: its failing cases
 * (findings under it, or blocked by a root cause that breaks it) and the
 * cases written for it that did not reach their checks. Blocked,
 * unimplemented, skipped and not-applicable cases are grouped by reason.
 */
function notPassing(requirement: RequirementResult, casesById: Map<string, CaseResult>, result: SuiteResult): { lines: string[]; rerunIds: string[] } {
  const lines: string[] = [];
  const rerunIds: string[] = [];
  const seen = new Set<string>();
  let intermittent = false;
  const groups = new Map<string, string[]>();
  const group = (key: string, caseId: string) => groups.set(key, [...(groups.get(key) ?? []), caseId]);
  const ids = [...requirement.failingCaseIds, ...requirement.caseIds.filter((id) => casesById.get(id)?.requirements[0] === requirement.id)];
  for (const caseId of ids) {
    const c = casesById.get(caseId);
    if (!c || seen.has(caseId) || c.verdict === 'pass') continue;
    seen.add(caseId);
    const failing = requirement.failingCaseIds.includes(caseId);
    const findings = c.findings.filter((f) => f.requirement === requirement.id);
    switch (c.verdict) {
      case 'blocked':
        group(`${CASE_MARK.blocked} blocked by root cause: ${c.blocker?.key ?? 'a failed setup step'}${c.blocker && c.blocker.requirement !== requirement.id ? ` (breaks ${c.blocker.requirement})` : ''}`, caseId);
        // The root cause's rerun command (under What to fix first) covers them.
        break;
      case 'unimplemented':
        group(`${CASE_MARK.unimplemented} unimplemented: ${c.unimplemented ?? 'an endpoint'} is missing`, caseId);
        break;
      case 'skip':
      case 'not-applicable':
        group(`${CASE_MARK[c.verdict]} ${c.verdict}: ${c.skipReason ?? 'no reason given'}`, caseId);
        break;
      case 'intermittent':
        if (!failing) group(`${CASE_MARK.intermittent} intermittent: passed when rerun alone; counted under ERR-5`, caseId);
        else {
          lines.push(`${CASE_MARK.intermittent} ${caseId} intermittent: failed with ${c.concurrency} case(s) at once, passed when rerun alone: expected ${firstLine(c.expected)}; actual ${truncate(firstLine(c.actual), 160)}`);
          intermittent = true;
        }
        break;
      case 'harness-error':
        lines.push(`${CASE_MARK['harness-error']} ${caseId} harness-error: ${truncate(firstLine(c.actual), 160)}`);
        break;
      case 'non-strict':
      case 'fail': {
        if (!failing) {
          // Its findings fall under other requirements: say where, the case is listed there.
          const elsewhere = [...new Set(c.findings.map((f) => f.requirement))].filter((id) => id !== requirement.id);
          group(`${CASE_MARK[c.verdict]} ${c.verdict}, counted under ${elsewhere.join(', ') || 'another requirement'}`, caseId);
          break;
        }
        const finding = findings.find((f) => f.outcome === 'fail') ?? findings[0];
        const kind = finding?.outcome ?? c.verdict;
        const more = findings.length > 1 ? ` (+${findings.length - 1} more finding(s) under ${requirement.id})` : '';
        lines.push(`${CASE_MARK[kind]} ${caseId} ${kind}${kind === 'fail' && c.stability ? ` (${c.stability})` : ''}: expected ${firstLine(finding?.expected ?? c.expected)}; actual ${truncate(firstLine(finding?.actual ?? c.actual), 160)}${more}`);
        rerunIds.push(caseId);
        break;
      }
    }
  }
  for (const [key, caseIds] of groups) lines.push(`${key}: ${plural(caseIds.length, 'case')} (${listIds(caseIds, 4)})`);
  if (intermittent) lines.push(`reproduce the intermittent case(s): rerun the run at the same concurrency (alone they pass): ${rerunRunCommand(result)}`);
  return { lines, rerunIds };
}

/**
 * The verdict in one line: what fails the run first (fail, unimplemented,
 * blocked MUSTs), then what does not (skipped MUSTs, non-strict findings,
 * intermittent cases, baselined failures). A skipped MUST is never counted
 * as passing.
 */
export function resultLine(result: SuiteResult): string {
  const line = verdictLine(result);
  // A stopped run judged only what finished: say so before any verdict (issue 13).
  return result.partial ? line.replace(/^RESULT: /, `RESULT (PARTIAL, stopped by ${result.partial.signal}: only the cases that finished were judged): `) : line;
}

function verdictLine(result: SuiteResult): string {
  const a = analyse(result);
  const { strict, failOnSkip } = result.options;
  const head: string[] = [];
  if (a.harnessErrors.length > 0) head.push(`the suite itself broke in ${plural(a.harnessErrors.length, 'case')} (harness error, a relaylab bug: exit 70; ${listIds(a.harnessErrors, 5)})`);
  if (a.mustFail.length > 0) head.push(`${a.mustFail.length} MUST requirement(s) fail (${listIds(a.mustFail)})`);
  if (a.endpoints.length > 0) head.push(`${plural(a.endpoints.length, 'unimplemented endpoint')} (${a.endpoints.map((e) => `${compactIds(e.blocks, result.requirements)}: ${e.endpoint}`).join('; ')})`);
  if (a.unimplementedOther.length > 0) head.push(`${a.unimplementedOther.length} MUST requirement(s) unimplemented (${listIds(a.unimplementedOther)})`);
  if (a.mustBlocked.length > 0) head.push(`${a.mustBlocked.length} MUST requirement(s) blocked${a.blockingCauses > 0 ? ` by ${plural(a.blockingCauses, 'root cause')}` : ''} (${listIds(a.mustBlocked)})`);
  const nonStrictText = a.nonStrictFindings > 0
    ? `${plural(a.nonStrictFindings, 'non-strict finding')} under ${a.nonStrictUnder.join(', ')}${a.nonStrictCases > 1 ? ` in ${a.nonStrictCases} cases` : ''}`
    : '';
  if (a.nonStrictFailsRun) head.push(`${nonStrictText} (--strict: they fail the run)`);

  const tail: string[] = [];
  if (!a.nonStrictFailsRun && a.nonStrictFindings > 0) tail.push(`${nonStrictText} (${strict ? 'baselined' : '--strict to fail on them'})`);
  if (a.intermittent.length > 0) tail.push(`${a.intermittent.length} intermittent under concurrency ${a.intermittentConcurrency} (${listIds(a.intermittent, 3)}: passed when rerun alone; counted under ERR-5${a.raceAnswer ? `; most often ${a.raceAnswer}` : ''})`);
  if (a.baselined.length > 0) tail.push(`${a.baselined.length} requirement(s) baselined, not failing the run (${listIds(a.baselined)})`);
  if (result.options.warp > 1) tail.push(`warp ${result.options.warp}x (--time-warp)`);

  const skippedText = `${a.skippedMusts.length} MUST requirement(s) skipped, not checked (${a.skippedMusts.join(', ')})${failOnSkip ? ' (--fail-on-skip)' : ''}`;
  const rest = (parts: string[]) => (parts.length > 0 ? `; ${parts.join('; ')}` : '');
  if (head.length > 0) return `RESULT: ${head.join(', ')}${rest(a.skippedMusts.length > 0 ? [skippedText, ...tail] : tail)}`;
  if (a.skippedMusts.length > 0) return `RESULT: no MUST fails, but ${skippedText}${rest(tail)}`;
  if (a.nonStrictFindings > 0) return `RESULT: no MUST fails${rest(tail)}`;
  return `RESULT: every MUST passes (or is baselined)${rest(tail)}`;
}

interface Analysis {
  mustFail: string[];
  endpoints: SuiteResult['unimplemented'];
  unimplementedOther: string[];
  mustBlocked: string[];
  blockingCauses: number;
  skippedMusts: string[];
  nonStrictFindings: number;
  nonStrictCases: number;
  nonStrictUnder: string[];
  /** --strict, and a requirement with non-strict findings is not baselined. */
  nonStrictFailsRun: boolean;
  intermittent: string[];
  /** What the relay most often answered in the intermittent cases' failed attempts, with its count: one cause behind many cases. */
  raceAnswer: string | null;
  /** The concurrency the intermittent cases failed at: `6`, or `up to 12` when it differed. */
  intermittentConcurrency: string;
  harnessErrors: string[];
  baselined: string[];
}

/** The commonest answer among failures, emails and ids masked so one cause groups: `HTTP 500 {…} (120 of 132)`. */
export function commonestAnswer(actuals: string[]): string | null {
  const counts = new Map<string, number>();
  for (const actual of actuals) {
    const key = truncate(firstLine(actual).replace(/[\w.+-]+@[\w.-]+/g, '<email>').replace(/\b[0-9a-f]{8,}\b/gi, '<id>'), 120);
    if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const [answer, count] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? [];
  return answer === undefined || count === undefined || count < 2 ? null : `${answer} (${count} of ${actuals.length})`;
}

function analyse(result: SuiteResult): Analysis {
  const musts = (verdict: RequirementVerdict) => result.requirements.filter((r) => r.level === 'MUST' && r.verdict === verdict && !r.baselined).map((r) => r.id);
  const mustUnimplemented = musts('unimplemented');
  const endpoints = result.unimplemented.filter((e) => e.blocks.some((id) => mustUnimplemented.includes(id)));
  const covered = new Set(endpoints.flatMap((e) => e.blocks));
  const mustBlocked = musts('blocked');
  const intermittent = result.cases.filter((c) => c.verdict === 'intermittent');
  const widths = [...new Set(intermittent.map((c) => c.concurrency))];
  const nonStrict = result.cases.flatMap((c) => (c.verdict === 'harness-error' ? [] : c.findings.filter((f) => f.outcome === 'non-strict').map((f) => ({ caseId: c.caseId, requirement: f.requirement }))));
  return {
    mustFail: musts('fail'),
    endpoints,
    unimplementedOther: mustUnimplemented.filter((id) => !covered.has(id)),
    mustBlocked,
    blockingCauses: result.rootCauses.filter((cause) => cause.blocks.some((id) => mustBlocked.includes(id))).length,
    skippedMusts: result.requirements.filter((r) => r.level === 'MUST' && r.verdict === 'skip').map((r) => r.id),
    nonStrictFindings: nonStrict.length,
    nonStrictCases: new Set(nonStrict.map((f) => f.caseId)).size,
    nonStrictUnder: [...new Set(nonStrict.map((f) => f.requirement))],
    nonStrictFailsRun: result.options.strict && nonStrict.some((f) => !result.requirements.some((r) => r.id === f.requirement && r.baselined)),
    intermittent: intermittent.map((c) => c.caseId),
    raceAnswer: commonestAnswer(intermittent.map((c) => c.actual ?? '')),
    intermittentConcurrency: widths.length === 1 ? String(widths[0]) : `up to ${Math.max(...widths)}`,
    harnessErrors: result.cases.filter((c) => c.verdict === 'harness-error').map((c) => c.caseId),
    baselined: result.requirements.filter((r) => r.baselined).map((r) => r.id),
  };
}

/** Quoted for a POSIX shell, always (case ids hold `[`, `]`, quotes). */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The command that reruns the cases `pattern` selects (a case id, `READY-2/*`, or a comma-separated list) with the same inputs. */
export function rerunCommand(result: SuiteResult, pattern: string): string {
  return `${baseCommand(result)} --only ${shellQuote(pattern)} --seed ${result.seed}`;
}

/** The whole run again, at the same concurrency: what reproduces an intermittent failure (alone it passes). */
export function rerunRunCommand(result: SuiteResult): string {
  const only = result.only.length > 0 ? ` --only ${shellQuote(result.only.join(','))}` : '';
  return `${baseCommand(result)}${only} --seed ${result.seed} --concurrency ${result.options.concurrency}`;
}

function baseCommand(result: SuiteResult): string {
  if (result.invocation) return result.invocation;
  return `npx relaylab conformance --target ${result.target.url}${result.target.auth !== 'mtls' ? ` --auth ${result.target.auth}` : ''}`;
}

/**
 * A case id as an `--only` glob that selects it: `--only` splits its value
 * on commas, so a comma in the id becomes `?` (any one character).
 */
export function caseGlob(caseId: string): string {
  return caseId.replace(/,/g, '?');
}

/**
 * `--only` for some cases of a requirement: `REQ-N/*` for its own cases;
 * cases of other requirements by id, or `OTHER-N/*` when more than three
 * of OTHER-N's are listed (a superset, shorter to read).
 */
export function requirementPattern(requirementId: string, caseIds: string[]): string {
  const prefixOf = (id: string) => id.split('/')[0] ?? id;
  const byPrefix = new Map<string, string[]>();
  for (const id of new Set(caseIds)) byPrefix.set(prefixOf(id), [...(byPrefix.get(prefixOf(id)) ?? []), id]);
  const parts = caseIds.length === 0 || byPrefix.has(requirementId) ? [`${requirementId}/*`] : [];
  for (const [prefix, ids] of byPrefix) {
    if (prefix === requirementId) continue;
    parts.push(...(ids.length > 3 ? [`${prefix}/*`] : ids.map(caseGlob)));
  }
  return parts.join(',');
}

/**
 * `--only` patterns that rerun some cases: their primary requirements, as
 * `REQ-N/*`, or `HB-*` for a whole section. The glob selects every case of
 * those requirements, the given ones among them.
 */
export function casesPattern(result: SuiteResult, caseIds: string[]): string {
  const byId = new Map(result.cases.map((c) => [c.caseId, c]));
  const primaries = [...new Set(caseIds.map((id) => byId.get(id)?.requirements[0] ?? id.split('/')[0] ?? id))];
  return compactIds(primaries, result.requirements, (id) => `${id}/*`).split(', ').join(',');
}

/**
 * Requirement ids, a whole section as `HB-*` when every requirement of it
 * (among those this run knows) is in the list.
 */
export function compactIds(ids: string[], requirements: RequirementResult[], each: (id: string) => string = (id) => id): string {
  const wanted = new Set(ids);
  const out: string[] = [];
  const done = new Set<string>();
  for (const id of ids) {
    if (done.has(id)) continue;
    const section = requirements.find((r) => r.id === id)?.section;
    const members = section ? requirements.filter((r) => r.section === section).map((r) => r.id) : [];
    if (section && members.length > 1 && members.every((m) => wanted.has(m))) {
      out.push(`${section}-*`);
      members.forEach((m) => done.add(m));
    } else {
      out.push(each(id));
      done.add(id);
    }
  }
  return out.join(', ');
}

/** The requirements a case failed: those of its fail findings, else (blocked, unimplemented, no findings) its primary one. */
export function failedRequirementsOf(c: CaseResult): string[] {
  const failing = [...new Set(c.findings.filter((f) => f.outcome === 'fail').map((f) => f.requirement))];
  if (c.verdict === 'fail' && failing.length > 0) return failing;
  if (c.verdict === 'non-strict') return [...new Set(c.findings.map((f) => f.requirement))];
  return c.requirements.slice(0, 1);
}

/** A failure accepted by --baseline: the baseline names the case, or every requirement it fails is baselined. */
export function isBaselinedCase(result: SuiteResult, c: CaseResult): boolean {
  const patterns = result.baseline.patterns.map(globToRegExp);
  if (matchesAny(patterns, c.caseId)) return true;
  const failed = failedRequirementsOf(c);
  return failed.length > 0 && failed.every((id) => matchesAny(patterns, id) || result.requirements.some((r) => r.id === id && r.baselined));
}

export function levelsOf(result: SuiteResult): Map<string, Level> {
  return new Map(result.requirements.map((r) => [r.id, r.level]));
}

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Up to `max` ids, then how many more. */
export function listIds(ids: string[], max = 8): string {
  return ids.length > max ? `${ids.slice(0, max).join(', ')} and ${ids.length - max} more` : ids.join(', ');
}

function firstLine(text: string | null): string {
  return (text ?? '').split('\n')[0] ?? '';
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
