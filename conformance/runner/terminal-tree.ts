/**
 * The terminal view: a progress line while cases run (failures printed as
 * they happen), then a tree section → requirement → cases that did not pass.
 */
import { skippedMusts, type SuiteListener, type SuiteResult } from './run-suite.ts';
import type { CaseResult, RequirementVerdict } from './types.ts';

const MARK: Record<RequirementVerdict | 'baselined', string> = { pass: '✓', fail: '✗', warn: '!', skip: '-', untested: '·', baselined: '≈' };

export function terminalListener(out: NodeJS.WriteStream): SuiteListener {
  const live = Boolean(out.isTTY);
  return {
    onStart({ total, time, targetUrl }) {
      const timeText = time.strategy === 'unavailable' ? `expiry cases skipped: ${time.unavailableReason}` : `expiry via ${time.strategy}`;
      out.write(`relaylab conformance → ${targetUrl}: ${total} cases, declared TTL ${time.ttlSeconds ?? '?'} s, ${timeText}\n`);
    },
    onCaseEnd(result: CaseResult, done: number, total: number) {
      if (live) out.write(`\r\x1b[2K[${done}/${total}] ${result.caseId}`);
      if (result.verdict === 'fail') {
        if (live) out.write('\r\x1b[2K');
        out.write(`  ✗ ${result.caseId} (${result.stability ?? 'failed'})\n      expected: ${result.expected}\n      actual:   ${firstLine(result.actual)}\n`);
      }
      if (live && done === total) out.write('\r\x1b[2K');
    },
  };
}

export function renderTree(result: SuiteResult): string {
  const lines: string[] = [];
  const casesById = new Map(result.cases.map((c) => [c.caseId, c]));
  let section = '';
  for (const requirement of result.requirements) {
    if (requirement.verdict === 'untested' && result.only.length > 0) continue;
    if (requirement.section !== section) {
      section = requirement.section;
      lines.push(section);
    }
    const mark = requirement.baselined ? MARK.baselined : MARK[requirement.verdict];
    lines.push(`  ${mark} ${requirement.id} (${requirement.level}) ${truncate(requirement.text, 90)}`);
    for (const caseId of requirement.caseIds) {
      const kase = casesById.get(caseId);
      if (!kase || kase.requirements[0] !== requirement.id || kase.verdict === 'pass') continue;
      const detail = kase.verdict === 'skip' ? `skipped: ${kase.skipReason}` : `${kase.stability}: expected ${kase.expected}; actual ${firstLine(kase.actual)}`;
      lines.push(`      ${kase.verdict === 'skip' ? MARK.skip : MARK.fail} ${kase.caseId}: ${truncate(detail, 200)}`);
    }
  }
  const s = result.summary;
  lines.push('');
  for (const [name, value] of Object.entries(result.facts)) lines.push(`${name}: ${value}`);
  lines.push(`requirements: ${s.pass} pass, ${s.fail} fail, ${s.warn} warn, ${s.skip} skip${s.untested ? `, ${s.untested} not selected` : ''}; ${s.baselinedFailures} baselined; ${(result.durationMs / 1000).toFixed(1)} s; seed ${result.seed}`);
  lines.push(resultLine(result));
  return `${lines.join('\n')}\n`;
}

/** The verdict in one line: a skipped MUST is never counted as passing. */
export function resultLine(result: SuiteResult): string {
  const s = result.summary;
  const skipped = skippedMusts(result.requirements);
  const skippedText = `${skipped.length} MUST requirement(s) skipped, not checked (${skipped.join(', ')})`;
  if (s.mustFailures > 0) return `RESULT: ${s.mustFailures} MUST requirement(s) fail${skipped.length > 0 ? `; ${skippedText}` : ''}`;
  if (skipped.length > 0) return `RESULT: no MUST fails, but ${skippedText}${result.exitCode === 1 ? ' (--fail-on-skip)' : ''}`;
  return 'RESULT: every MUST passes (or is baselined)';
}

function firstLine(text: string | null): string {
  return (text ?? '').split('\n')[0] ?? '';
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
