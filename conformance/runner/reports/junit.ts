/**
 * junit.xml: one <testsuite> per SPEC section, one <testcase> per case,
 * named by its short case id (`READY-2/invalid-port[3.5]`), with the
 * requirement id(s), the requirement sentence(s) and the case's kind as
 * properties. What fails the run fails here: fail, unimplemented and
 * blocked cases of a MUST, harness errors (as <error>), non-strict ones
 * only with --strict. Baselined failures, skipped and not-applicable cases
 * are <skipped>. Intermittent cases pass under their own id (a rerun alone
 * passed): one extra ERR-5/intermittent-under-concurrency testcase fails
 * for them, as ERR-5 does. One extra testcase per root cause and per
 * unimplemented endpoint makes the thing to fix first visible in CI.
 *
 * Times add up to the run (junit-times.ts): a testcase's time is its share
 * of the wall time, its own duration is the `case.duration` property, and
 * one RUN/setup-and-teardown testcase holds the time no case was in flight
 * for; each <testsuite> is the sum of its testcases, <testsuites> the run's
 * wall time, exactly. A partial run (Ctrl-C) says so in a `partial`
 * property of every testsuite.
 */
import { failedRequirementsOf, isBaselinedCase, levelsOf, caseGlob, casesPattern, plural, rerunCommand, rerunRunCommand } from '../terminal-tree.ts';
import type { CaseResult, Level, RequirementResult, SuiteResult } from '../types.ts';
import { escapeHtml } from '../../../reference/shared/escape-html.ts';
import { reproPathOf } from './html.ts';
import { junitTimes } from './junit-times.ts';
import { partialOf, sentence } from './partial.ts';

interface Testcase {
  section: string;
  name: string;
  /** Share of the run's wall time, whole milliseconds. */
  ms: number;
  properties: Array<[string, string]>;
  /** The one child that says how it went (failure, error, skipped, system-out), or ''. */
  inner: string;
  outcome: 'pass' | 'failure' | 'error' | 'skipped';
}

export function toJunitXml(result: SuiteResult): string {
  const requirements = new Map(result.requirements.map((r) => [r.id, r]));
  const levels = levelsOf(result);
  const sectionOf = (id: string | undefined) => (id && requirements.get(id)?.section) || /^([A-Z]+)-/.exec(id ?? '')?.[1] || 'OTHER';
  const times = junitTimes(result);
  const testcases: Testcase[] = result.cases.map((c, i) => caseTestcase(result, c, sectionOf(c.requirements[0]), requirements, levels, times.shareMs[i] ?? 0));
  testcases.push(...extraTestcases(result, sectionOf, requirements), setupTestcase(result, times.remainderMs));

  const order = [...new Set([...result.requirements.map((r) => r.section), ...testcases.map((t) => t.section)])];
  const suites = order.map((section) => ({ section, cases: testcases.filter((t) => t.section === section) })).filter((s) => s.cases.length > 0);
  const count = (cases: Testcase[], outcome: Testcase['outcome']) => cases.filter((t) => t.outcome === outcome).length;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const partial = partialOf(result);

  const suiteXml = suites.map(({ section, cases }) => {
    const suiteMs = cases.reduce((sum, t) => sum + t.ms, 0);
    const props = [
      ['seed', String(result.seed)], ['target', result.target.url], ...(result.label ? [['label', result.label]] : []),
      ...(partial ? [['partial', `${partial.signal}: the run was stopped early; only what finished is here. ${sentence(partial.note)}`.trim()]] : []),
      ['rerun', section === RUN_SECTION ? rerunRunCommand(result) : rerunCommand(result, `${section}-*`)],
    ];
    const head = `  <testsuite name="${attr(section)}" tests="${cases.length}" failures="${count(cases, 'failure')}" errors="${count(cases, 'error')}" skipped="${count(cases, 'skipped')}" time="${seconds(suiteMs)}" timestamp="${attr(result.startedAt)}">`;
    const properties = `    <properties>\n${props.map(([n, v]) => `      <property name="${attr(n ?? '')}" value="${attr(v ?? '')}"/>`).join('\n')}\n    </properties>`;
    return [head, properties, ...cases.map(testcaseXml), '  </testsuite>'].join('\n');
  });

  const ownMs = result.cases.reduce((sum, c) => sum + Math.round(c.durationMs), 0);
  const how = times.source === 'startedAtMs' ? 'when each case started' : times.source === 'exchanges' ? "each case's recorded requests (its last response ends it)" : 'nothing (no case recorded when it ran)';
  const comment = `time: <testsuites> is the run's wall-clock time (${seconds(times.wallMs)} s) and equals the sum of the <testsuite> times, each the sum of its testcases. A testcase's time is its share of the wall time: each millisecond is split evenly among the cases in flight then (up to ${result.options.concurrency} at once; found from ${how}); its own duration is the case.duration property (all cases: ${seconds(ownMs)} s). ${RUN_SECTION}/${SETUP_NAME} holds the ${seconds(times.remainderMs)} s no case was in flight for: pre-flight probes, reruns alone, teardown.`;
  const name = `relaylab conformance ${result.label ? `${result.label} ` : ''}${result.target.url}`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- ${commentText(comment)} -->
<testsuites name="${attr(name)}" tests="${testcases.length}" failures="${count(testcases, 'failure')}" errors="${count(testcases, 'error')}" skipped="${count(testcases, 'skipped')}" time="${seconds(times.wallMs)}">
${suiteXml.join('\n')}
</testsuites>
`;
}

function caseTestcase(result: SuiteResult, c: CaseResult, section: string, requirements: Map<string, RequirementResult>, levels: Map<string, Level>, shareMs: number): Testcase {
  const properties: Array<[string, string]> = [
    ['requirement', c.requirements.join(', ')],
    ['requirement.text', c.requirements.map((id) => requirementSentence(id, requirements)).join('\n')],
    ['kind', c.verdict],
    ['case.duration', (Math.round(c.durationMs) / 1000).toFixed(3)],
    ['case.concurrency', String(c.concurrency)],
  ];
  const base = { section, name: c.caseId, ms: shareMs, properties };
  const failed = failedRequirementsOf(c);
  const failedLevel = bestLevel(failed.map((id) => levels.get(id) ?? 'MUST'));
  const detail = caseDetail(result, c);
  const summary = `${failed.join(', ')} (${failedLevel}) ${c.verdict}: expected ${oneLine(c.expected)}; actual ${oneLine(c.actual)}`;
  switch (c.verdict) {
    case 'pass':
      return { ...base, inner: '', outcome: 'pass' };
    case 'skip':
    case 'not-applicable':
      return { ...base, inner: `<skipped message="${attr(`${c.verdict === 'skip' ? 'skipped' : 'not applicable'}: ${c.skipReason ?? 'no reason given'}`)}"/>`, outcome: 'skipped' };
    case 'harness-error':
      return { ...base, inner: `<error type="harness-error" message="${attr(`the suite itself broke (a relaylab bug, not the relay's; exit 70): ${oneLine(c.actual)}`)}">${text(detail)}</error>`, outcome: 'error' };
    case 'intermittent':
      return { ...base, inner: `<system-out>${text(`INTERMITTENT: failed with ${c.concurrency} case(s) at once, passed when rerun alone (${c.attempts} attempts). Not a failure of ${c.requirements[0]}: counted under ERR-5 (concurrency), see the ERR-5/intermittent-under-concurrency testcase.\n\n${detail}`)}</system-out>`, outcome: 'pass' };
    case 'non-strict': {
      if (result.options.strict && !isBaselinedCase(result, c)) return { ...base, inner: `<failure type="non-strict" message="${attr(`${summary} (--strict)`)}">${text(detail)}</failure>`, outcome: 'failure' };
      const why = isBaselinedCase(result, c) ? 'baselined' : 'passes without --strict';
      return { ...base, inner: `<system-out>${text(`NON-STRICT (${why}): the status and state are right, only the error code or body shape differs, under ${failed.join(', ')}.\n\n${detail}`)}</system-out>`, outcome: 'pass' };
    }
    case 'fail':
    case 'unimplemented':
    case 'blocked': {
      if (isBaselinedCase(result, c)) return { ...base, inner: `<skipped message="${attr(`baselined known failure (${result.baseline.source ?? '--baseline'}): ${summary}`)}"/>`, outcome: 'skipped' };
      if (failedLevel !== 'MUST') return { ...base, inner: `<system-out>${text(`WARNING (${failedLevel}, does not fail the run): ${summary}\n\n${detail}`)}</system-out>`, outcome: 'pass' };
      return { ...base, inner: `<failure type="${c.verdict}" message="${attr(summary)}">${text(detail)}</failure>`, outcome: 'failure' };
    }
  }
}

/** Root causes, unimplemented endpoints, and the intermittent cases: each one testcase that fails like the requirement it breaks. */
function extraTestcases(result: SuiteResult, sectionOf: (id: string | undefined) => string, requirements: Map<string, RequirementResult>): Testcase[] {
  const out: Testcase[] = [];
  const judged = (requirementIds: string[], type: string, message: string, body: string, name: string, kind: string): Testcase => {
    const reqs = requirementIds.map((id) => requirements.get(id)).filter((r): r is RequirementResult => r !== undefined);
    const properties: Array<[string, string]> = [['requirement', requirementIds.join(', ')], ['requirement.text', requirementIds.map((id) => requirementSentence(id, requirements)).join('\n')], ['kind', kind]];
    const base = { section: sectionOf(requirementIds[0]), name, ms: 0, properties };
    if (reqs.length > 0 && reqs.every((r) => r.baselined)) return { ...base, inner: `<skipped message="${attr(`baselined known failure (${result.baseline.source ?? '--baseline'}): ${message}`)}"/>`, outcome: 'skipped' };
    if (reqs.length > 0 && !reqs.some((r) => r.level === 'MUST')) return { ...base, inner: `<system-out>${text(`WARNING (${bestLevel(reqs.map((r) => r.level))}, does not fail the run): ${message}\n\n${body}`)}</system-out>`, outcome: 'pass' };
    return { ...base, inner: `<failure type="${type}" message="${attr(message)}">${text(body)}</failure>`, outcome: 'failure' };
  };
  for (const cause of result.rootCauses) {
    const message = `root cause: ${cause.key} (breaks ${cause.requirement}) for ${cause.caseIds.length} case(s), leaving ${cause.blocks.join(', ')} unchecked`;
    const body = [`expected: ${cause.expected}`, `actual:   ${cause.actual}`, `blocked cases: ${cause.caseIds.join(', ')}`, `blocked requirements: ${cause.blocks.join(', ')}`, `rerun: ${rerunCommand(result, casesPattern(result, cause.caseIds))}`].join('\n');
    out.push(judged([cause.requirement], 'fail', message, body, `root-cause: ${cause.key}`, 'fail'));
  }
  for (const endpoint of result.unimplemented) {
    const message = `${endpoint.endpoint} answered HTTP ${endpoint.status}: not implemented, blocking ${endpoint.blocks.join(', ')}`;
    const body = [`cases: ${endpoint.caseIds.join(', ')}`, `requirements left unchecked: ${endpoint.blocks.join(', ')}`, `rerun: ${rerunCommand(result, casesPattern(result, endpoint.caseIds))}`].join('\n');
    out.push(judged(endpoint.blocks, 'unimplemented', message, body, `unimplemented: ${endpoint.endpoint}`, 'unimplemented'));
  }
  const intermittent = result.cases.filter((c) => c.verdict === 'intermittent');
  if (intermittent.length > 0) {
    const message = `${intermittent.length} case(s) failed under concurrency and passed when rerun alone: ${intermittent.map((c) => c.caseId).join(', ')}`;
    const body = [
      ...intermittent.map((c) => `${c.caseId} (with ${c.concurrency} case(s) at once, ${c.attempts} attempts):\n  expected: ${oneLine(c.expected)}\n  actual:   ${oneLine(c.actual)}`),
      `reproduce (alone they pass): ${rerunRunCommand(result)}`,
    ].join('\n');
    out.push(judged(['ERR-5'], 'intermittent', message, body, 'ERR-5/intermittent-under-concurrency', 'intermittent'));
  }
  return out;
}

const RUN_SECTION = 'RUN';
const SETUP_NAME = 'setup-and-teardown';

/** The wall time no case was in flight for, so the times add up to the run. Always passes: a setup that fails ends the run before any report. */
function setupTestcase(result: SuiteResult, remainderMs: number): Testcase {
  const reruns = result.cases.filter((c) => c.attempts > 1).length;
  const out = `Wall time no case was in flight for: health and endpoint probes, the TTL probe${result.options.warp > 1 ? ', the --time-warp check' : ''} and the test-profile probe before the cases; ${reruns > 0 ? `reruns alone of ${plural(reruns, 'failed case')}; ` : ''}teardown; and whatever a case spent before its recorded span.`;
  return { section: RUN_SECTION, name: SETUP_NAME, ms: remainderMs, properties: [['kind', 'setup']], inner: `<system-out>${text(out)}</system-out>`, outcome: 'pass' };
}

function caseDetail(result: SuiteResult, c: CaseResult): string {
  const lines = [`${c.caseId}: ${c.title}`, `kind: ${c.verdict}${c.stability ? ` (${c.stability}, ${c.attempts} attempt(s))` : ''}`];
  if (c.expected !== null || c.actual !== null) lines.push(`expected: ${c.expected ?? ''}`, `actual:   ${c.actual ?? ''}`);
  if (c.blocker) lines.push(`blocked by: ${c.blocker.key} (step ${c.blocker.step}, breaks ${c.blocker.requirement})`);
  if (c.unimplemented) lines.push(`missing endpoint: ${c.unimplemented}`);
  if (c.findings.length > 0) lines.push('findings:', ...c.findings.map((f) => `  - ${f.requirement} ${f.outcome}: expected ${f.expected}; actual ${f.actual}`));
  lines.push(`rerun: ${rerunCommand(result, caseGlob(c.caseId))}`);
  const repro = reproPathOf(c);
  if (repro) lines.push(`repro script: ${repro}`);
  return lines.join('\n');
}

function requirementSentence(id: string, requirements: Map<string, RequirementResult>): string {
  const r = requirements.get(id);
  return r ? `${r.id} (${r.level}): ${r.text}` : id;
}

function bestLevel(levels: Level[]): Level {
  return levels.includes('MUST') ? 'MUST' : levels.includes('SHOULD') ? 'SHOULD' : levels.length > 0 ? 'MAY' : 'MUST';
}

function testcaseXml(t: Testcase): string {
  const props = `<properties>${t.properties.map(([n, v]) => `<property name="${attr(n)}" value="${attr(v)}"/>`).join('')}</properties>`;
  return `    <testcase classname="relay.${attr(t.section)}" name="${attr(t.name)}" time="${(t.ms / 1000).toFixed(3)}">${props}${t.inner}</testcase>`;
}

function oneLine(s: string | null): string {
  const line = (s ?? '').replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/*
 * XML escaping. The five markup characters are escaped as in HTML, by the
 * one helper (escapeHtml: `&#39;` and `&quot;` are XML too). XML differs
 * in two ways, handled here: XML 1.0 forbids most control characters even
 * as references, so they become U+FFFD; and a parser normalizes a raw
 * newline, CR or tab inside an attribute value to a space, so those are
 * written as character references to survive (a requirement sentence list
 * is one property with newlines). In text, a raw CR would be read as LF.
 */
const clean = (s: string): string => s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD');

function attr(s: string): string {
  return escapeHtml(clean(s)).replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

function text(s: string): string {
  return escapeHtml(clean(s)).replace(/\r/g, '&#13;');
}

/** A comment may not hold `--` nor end in `-`. */
function commentText(s: string): string {
  return clean(s).replace(/--/g, '- -').replace(/-$/, '- ');
}
