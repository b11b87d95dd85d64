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
 * Times: a testcase's time is its case's duration. Cases run concurrently,
 * so their sum is not the run's wall time; rather than scale case times
 * (which would make each one false), each <testsuite> time is the exact sum
 * of its testcases' times, and <testsuites time> is the run's wall time,
 * with a comment in the file saying both numbers.
 */
import { failedRequirementsOf, isBaselinedCase, levelsOf, caseGlob, casesPattern, rerunCommand, rerunRunCommand } from '../terminal-tree.ts';
import type { CaseResult, Level, RequirementResult, SuiteResult } from '../types.ts';
import { reproPathOf } from './html.ts';

interface Testcase {
  section: string;
  name: string;
  seconds: number;
  properties: Array<[string, string]>;
  /** The one child that says how it went (failure, error, skipped, system-out), or ''. */
  inner: string;
  outcome: 'pass' | 'failure' | 'error' | 'skipped';
}

export function toJunitXml(result: SuiteResult): string {
  const requirements = new Map(result.requirements.map((r) => [r.id, r]));
  const levels = levelsOf(result);
  const sectionOf = (id: string | undefined) => (id && requirements.get(id)?.section) || /^([A-Z]+)-/.exec(id ?? '')?.[1] || 'OTHER';
  const testcases: Testcase[] = result.cases.map((c) => caseTestcase(result, c, sectionOf(c.requirements[0]), requirements, levels));
  testcases.push(...extraTestcases(result, sectionOf, requirements));

  const order = [...new Set([...result.requirements.map((r) => r.section), ...testcases.map((t) => t.section)])];
  const suites = order.map((section) => ({ section, cases: testcases.filter((t) => t.section === section) })).filter((s) => s.cases.length > 0);
  const count = (cases: Testcase[], outcome: Testcase['outcome']) => cases.filter((t) => t.outcome === outcome).length;
  const ms = (seconds: number) => Math.round(seconds * 1000);
  const sumMs = testcases.reduce((sum, t) => sum + ms(t.seconds), 0);

  const suiteXml = suites.map(({ section, cases }) => {
    const suiteMs = cases.reduce((sum, t) => sum + ms(t.seconds), 0);
    const props = [['seed', String(result.seed)], ['target', result.target.url], ...(result.label ? [['label', result.label]] : []), ['rerun', rerunCommand(result, `${section}-*`)]];
    const head = `  <testsuite name="${attr(section)}" tests="${cases.length}" failures="${count(cases, 'failure')}" errors="${count(cases, 'error')}" skipped="${count(cases, 'skipped')}" time="${(suiteMs / 1000).toFixed(3)}" timestamp="${attr(result.startedAt)}">`;
    const properties = `    <properties>\n${props.map(([n, v]) => `      <property name="${attr(n ?? '')}" value="${attr(v ?? '')}"/>`).join('\n')}\n    </properties>`;
    return [head, properties, ...cases.map(testcaseXml), '  </testsuite>'].join('\n');
  });

  const comment = `time: <testsuites> is the run's wall-clock time (${(result.durationMs / 1000).toFixed(3)} s); each <testsuite> is the sum of its testcases' durations (all testcases: ${(sumMs / 1000).toFixed(3)} s). Cases run concurrently (up to ${result.options.concurrency} at once), and the pre-flight and reruns alone run outside any case's time, so the sums need not equal the wall time.`;
  const name = `relaylab conformance ${result.label ? `${result.label} ` : ''}${result.target.url}`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- ${commentText(comment)} -->
<testsuites name="${attr(name)}" tests="${testcases.length}" failures="${count(testcases, 'failure')}" errors="${count(testcases, 'error')}" skipped="${count(testcases, 'skipped')}" time="${(result.durationMs / 1000).toFixed(3)}">
${suiteXml.join('\n')}
</testsuites>
`;
}

function caseTestcase(result: SuiteResult, c: CaseResult, section: string, requirements: Map<string, RequirementResult>, levels: Map<string, Level>): Testcase {
  const properties: Array<[string, string]> = [
    ['requirement', c.requirements.join(', ')],
    ['requirement.text', c.requirements.map((id) => requirementSentence(id, requirements)).join('\n')],
    ['kind', c.verdict],
  ];
  const base = { section, name: c.caseId, seconds: c.durationMs / 1000, properties };
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
    const base = { section: sectionOf(requirementIds[0]), name, seconds: 0, properties };
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
  return `    <testcase classname="relay.${attr(t.section)}" name="${attr(t.name)}" time="${t.seconds.toFixed(3)}">${props}${t.inner}</testcase>`;
}

function oneLine(s: string | null): string {
  const line = (s ?? '').replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

// XML 1.0 forbids most control characters even when escaped.
const clean = (s: string): string => s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '�');

function attr(s: string): string {
  return clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

function text(s: string): string {
  return clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** A comment may not hold `--` nor end in `-`. */
function commentText(s: string): string {
  return clean(s).replace(/--/g, '- -').replace(/-$/, '- ');
}
