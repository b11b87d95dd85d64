import { describe, expect, it } from 'vitest';
import { parseBaseline } from './baseline.ts';
import { globToRegExp, splitPatterns } from './glob.ts';
import { chooseStrategy } from './time-control.ts';
import { aggregateRequirements } from './verdicts.ts';
import { toJunitXml } from './reports/junit.ts';
import { reproFileName } from './reports/repro.ts';
import { nextLink, compareEmails } from '../cases/steps.ts';
import { caseSeed } from './case-runner.ts';
import type { CaseResult, Requirement } from './types.ts';
import type { SuiteResult } from './run-suite.ts';
import type { Reply } from './target.ts';

const spec: Requirement[] = [
  { id: 'REG-1', level: 'MUST', section: 'REG', text: 'must <register> & "answer"' },
  { id: 'REG-8', level: 'SHOULD', section: 'REG', text: 'should refuse' },
  { id: 'REG-11', level: 'MAY', section: 'REG', text: 'may refuse' },
  { id: 'EXP-1', level: 'MUST', section: 'EXP', text: 'expire' },
];

function caseResult(caseId: string, verdict: CaseResult['verdict'], extra: Partial<CaseResult> = {}): CaseResult {
  return { caseId, requirements: [caseId.split('/')[0] ?? ''], title: caseId, verdict, expected: verdict === 'fail' ? 'HTTP 400' : null, actual: verdict === 'fail' ? 'HTTP 200 <oops>\u0001' : null, skipReason: verdict === 'skip' ? 'no clock' : null, stability: verdict === 'fail' ? 'deterministic' : null, attempts: 1, notes: [], exchanges: [], identities: [], durationMs: 5, ...extra };
}

describe('patterns and baselines', () => {
  it('match case ids and requirement ids by glob', () => {
    expect(globToRegExp('EXP-*').test('EXP-1/lookup-gone-after-ttl')).toBe(true);
    expect(globToRegExp('EXP-*').test('HB-2/extends')).toBe(false);
    expect(globToRegExp('REG-?').test('REG-10')).toBe(false);
    expect(splitPatterns(['GEN-*, LOOKUP-1*', 'EXP-2'])).toEqual(['GEN-*', 'LOOKUP-1*', 'EXP-2']);
  });

  it('reads baseline files with comments', () => {
    const baseline = parseBaseline('# known\nREG-1   # tracked in #12\n\nEXP-1/*\n', 'b.txt');
    expect(baseline.patterns).toEqual(['REG-1', 'EXP-1/*']);
    expect(baseline.covers('REG-1')).toBe(true);
    expect(baseline.covers('EXP-1/lookup-gone')).toBe(true);
    expect(baseline.covers('REG-10')).toBe(false);
  });
});

describe('verdicts', () => {
  it('fail MUSTs, warn SHOULD/MAY, skip all-skipped, mark untested and baselined', () => {
    const results = [caseResult('REG-1/a', 'fail'), caseResult('REG-1/b', 'pass'), caseResult('REG-8/x', 'fail'), caseResult('REG-11/y', 'fail'), caseResult('EXP-1/z', 'skip')];
    const verdicts = aggregateRequirements(spec, results, parseBaseline('REG-1/a', null), new Set(['REG-1', 'REG-8', 'REG-11', 'EXP-1']));
    expect(verdicts.map((r) => [r.id, r.verdict, r.baselined])).toEqual([['REG-1', 'fail', true], ['REG-8', 'warn', false], ['REG-11', 'warn', false], ['EXP-1', 'skip', false]]);
    const unselected = aggregateRequirements(spec, [], parseBaseline('', null), new Set());
    expect(unselected.every((r) => r.verdict === 'untested')).toBe(true);
  });

  it('give each case a seed that depends on the run seed and the case only', () => {
    expect(caseSeed(1, 'REG-1/a')).toBe(caseSeed(1, 'REG-1/a'));
    expect(caseSeed(1, 'REG-1/a')).not.toBe(caseSeed(2, 'REG-1/a'));
    expect(caseSeed(1, 'REG-1/a')).not.toBe(caseSeed(1, 'REG-1/b'));
  });
});

describe('time strategy', () => {
  it('waits when the TTL fits --max-wait, else uses the test clock, else explains the skip', () => {
    expect(chooseStrategy(5, false, 120).strategy).toBe('real-time');
    expect(chooseStrategy(3600, true, 120).strategy).toBe('test-clock');
    expect(chooseStrategy(3600, false, 120)).toMatchObject({ strategy: 'unavailable', unavailableReason: expect.stringMatching(/TTL is 3600 s, above --max-wait 120 s/) });
    expect(chooseStrategy(null, true, 120).strategy).toBe('unavailable');
  });
});

describe('list helpers', () => {
  const reply = (link?: string) => ({ headers: link ? { link } : {}, exchange: { request: { path: '/api/relay/broadcast/list?limit=2' } } }) as unknown as Reply;
  it('follow rel="next" links, relative or absolute, among several', () => {
    expect(nextLink(reply('</api/relay/broadcast/list?limit=2&cursor=abc>; rel="next"'))).toBe('/api/relay/broadcast/list?limit=2&cursor=abc');
    expect(nextLink(reply('<https://relay.example/api/relay/broadcast/list?cursor=x>; rel="prev", <https://relay.example/api/relay/broadcast/list?cursor=y>; rel=next'))).toBe('/api/relay/broadcast/list?cursor=y');
    expect(nextLink(reply())).toBeNull();
  });

  it('read links as RFC 8288 does: relative to the request, several relation types, any case', () => {
    expect(nextLink(reply('<?limit=2&cursor=abc>; rel="next"'))).toBe('/api/relay/broadcast/list?limit=2&cursor=abc');
    expect(nextLink(reply('<list?cursor=q>; rel="prev next"'))).toBe('/api/relay/broadcast/list?cursor=q');
    expect(nextLink(reply('</api/relay/broadcast/list?cursor=z>; REL=Next'))).toBe('/api/relay/broadcast/list?cursor=z');
    expect(nextLink(reply('</api/relay/broadcast/list?cursor=n>; rel="nextish"'))).toBeNull();
    expect(nextLink(reply('</api/relay/broadcast/list?cursor=t>; title="next"; rel="prev"'))).toBeNull();
  });

  it('compare emails in byte order', () => {
    expect(compareEmails('B@x', 'a@x')).toBeLessThan(0);
    expect(compareEmails('z@x', 'é@x')).toBeLessThan(0);
  });
});

describe('junit.xml', () => {
  it('has one testcase per selected requirement, escapes text, and strips control characters', () => {
    const results = [caseResult('REG-1/a', 'fail'), caseResult('REG-8/x', 'pass'), caseResult('EXP-1/z', 'skip')];
    const requirements = aggregateRequirements(spec, results, parseBaseline('', null), new Set(['REG-1', 'REG-8', 'EXP-1']));
    const xml = toJunitXml({ target: { url: 'https://r', auth: 'mtls' }, durationMs: 10, summary: { mustFailures: 1 }, requirements, cases: results } as unknown as SuiteResult);
    expect(xml.match(/<testcase /g)).toHaveLength(3);
    expect(xml).toContain('name="REG-1 (MUST) must &lt;register&gt; &amp; &quot;answer&quot;"');
    expect(xml).toContain('<failure message=');
    expect(xml).toContain('<skipped message="no clock"/>');
    expect(xml).not.toMatch(/\u0001/);
  });

  it('names repro scripts after the case', () => {
    expect(reproFileName('REG-4/email-nowhere')).toBe('REG-4_email-nowhere.sh');
  });
});
