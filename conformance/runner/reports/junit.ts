/**
 * junit.xml: one testsuite per SPEC section, one testcase per requirement,
 * as CI systems expect. MUST failures are <failure>; SHOULD/MAY warnings
 * pass with the warning in <system-out>; baselined failures and skips are
 * <skipped>.
 */
import type { SuiteResult } from '../run-suite.ts';
import type { CaseResult } from '../types.ts';

export function toJunitXml(result: SuiteResult): string {
  const casesById = new Map(result.cases.map((c) => [c.caseId, c]));
  const sections = [...new Set(result.requirements.map((r) => r.section))];
  const suites = sections.map((section) => {
    const requirements = result.requirements.filter((r) => r.section === section && r.verdict !== 'untested');
    const failures = requirements.filter((r) => r.verdict === 'fail' && !r.baselined).length;
    const skipped = requirements.filter((r) => r.verdict === 'skip' || r.baselined).length;
    const testcases = requirements.map((r) => {
      const cases = r.caseIds.map((id) => casesById.get(id)).filter((c): c is CaseResult => c !== undefined && c.requirements[0] === r.id);
      const seconds = (cases.reduce((sum, c) => sum + c.durationMs, 0) / 1000).toFixed(3);
      const failing = cases.filter((c) => c.verdict === 'fail');
      const detail = failing.map((c) => `${c.caseId} (${c.stability}):\nexpected: ${c.expected}\nactual: ${c.actual}`).join('\n\n');
      let inner = '';
      if (r.baselined) inner = `<skipped message="${attr(`baselined known failure: ${failing.map((c) => c.caseId).join(', ')}`)}"/>`;
      else if (r.verdict === 'fail') inner = `<failure message="${attr(`${r.id} (MUST) fails: ${failing[0]?.expected ?? ''}`)}" type="${failing.every((c) => c.stability === 'deterministic') ? 'deterministic' : 'intermittent'}">${text(detail)}</failure>`;
      else if (r.verdict === 'skip') inner = `<skipped message="${attr(cases.map((c) => c.skipReason).filter(Boolean).join('; '))}"/>`;
      else if (r.verdict === 'warn') inner = `<system-out>${text(`WARNING (${r.level}): ${detail}`)}</system-out>`;
      return `    <testcase classname="relay.${section}" name="${attr(`${r.id} (${r.level}) ${r.text}`)}" time="${seconds}">${inner}</testcase>`;
    });
    return `  <testsuite name="${section}" tests="${requirements.length}" failures="${failures}" errors="0" skipped="${skipped}">\n${testcases.join('\n')}\n  </testsuite>`;
  });
  const total = result.requirements.filter((r) => r.verdict !== 'untested').length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="relaylab conformance ${attr(result.target.url)}" tests="${total}" failures="${result.summary.mustFailures}" time="${(result.durationMs / 1000).toFixed(3)}">\n${suites.join('\n')}\n</testsuites>\n`;
}

// XML 1.0 forbids most control characters even when escaped.
const clean = (s: string): string => s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '�');

function attr(s: string): string {
  return clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
}

function text(s: string): string {
  return clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
