import { describe, expect, it } from 'vitest';
import { parseBaseline } from './baseline.ts';
import { globToRegExp, splitPatterns } from './glob.ts';
import { chooseStrategy } from './time-control.ts';
import { aggregateRequirements, rootCausesOf, unimplementedOf } from './verdicts.ts';
import { nextLink, compareEmails } from '../cases/steps.ts';
import { caseSeed } from './case-runner.ts';
import type { CaseResult, Finding, Requirement } from './types.ts';
import type { Reply } from './target.ts';

const spec: Requirement[] = [
  { id: 'REG-1', level: 'MUST', section: 'REG', text: 'must <register> & "answer"' },
  { id: 'REG-8', level: 'SHOULD', section: 'REG', text: 'should refuse' },
  { id: 'REG-11', level: 'MAY', section: 'REG', text: 'may refuse' },
  { id: 'EXP-1', level: 'MUST', section: 'EXP', text: 'expire' },
  { id: 'ERR-1', level: 'SHOULD', section: 'ERR', text: 'error bodies' },
  { id: 'ERR-5', level: 'MUST', section: 'ERR', text: 'no 5xx' },
  { id: 'LOOKUP-5', level: 'MUST', section: 'LOOKUP', text: 'capabilities' },
  { id: 'TEST-2', level: 'MUST', section: 'TEST', text: 'when offered' },
];

const finding = (requirement: string, outcome: Finding['outcome'] = 'fail'): Finding => ({ requirement, outcome, expected: 'HTTP 400', actual: 'HTTP 200' });

/** A case result as the case runner makes it: a failing one has a finding under its first requirement, a passing one a check. */
function caseResult(caseId: string, verdict: CaseResult['verdict'], extra: Partial<CaseResult> = {}): CaseResult {
  const requirement = caseId.split('/')[0] ?? '';
  return {
    caseId, requirements: [requirement], title: caseId, verdict,
    expected: verdict === 'fail' ? 'HTTP 400' : null, actual: verdict === 'fail' ? 'HTTP 200 <oops>\u0001' : null,
    findings: verdict === 'fail' ? [finding(requirement)] : [], checked: verdict === 'pass' ? [requirement] : [],
    blocker: null, unimplemented: null, skipReason: verdict === 'skip' || verdict === 'not-applicable' ? 'no clock' : null,
    stability: verdict === 'fail' ? 'deterministic' : null, concurrency: 1, attempts: 1, notes: [], exchanges: [], identities: [], durationMs: 5, ...extra,
  };
}

const verdictsOf = (results: CaseResult[], baseline = '') => aggregateRequirements(spec, results, parseBaseline(baseline, null), rootCausesOf(results)).map((r) => [r.id, r.verdict]);

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
    const verdicts = aggregateRequirements(spec, results, parseBaseline('REG-1/a', null), []);
    expect(verdicts.slice(0, 4).map((r) => [r.id, r.verdict, r.baselined])).toEqual([['REG-1', 'fail', true], ['REG-8', 'warn', false], ['REG-11', 'warn', false], ['EXP-1', 'skip', false]]);
    expect(aggregateRequirements(spec, [], parseBaseline('', null), []).every((r) => r.verdict === 'untested')).toBe(true);
  });

  it('judge every requirement a case checks, not only its first', () => {
    // READY-5's case also checks LOOKUP-5: a failure of that check fails LOOKUP-5, though the case names READY-5 first.
    const both = caseResult('REG-1/caps', 'fail', { requirements: ['REG-1', 'LOOKUP-5'], findings: [finding('LOOKUP-5')], checked: ['REG-1'] });
    expect(verdictsOf([both])).toContainEqual(['LOOKUP-5', 'fail']);
    expect(verdictsOf([both])).toContainEqual(['REG-1', 'pass']);
  });

  it('count a wrong code with the right status under ERR-1 as non-strict, not against the case', () => {
    const nonStrict = caseResult('REG-1/code', 'non-strict', { findings: [finding('ERR-1', 'non-strict')], checked: ['REG-1'] });
    expect(verdictsOf([nonStrict]).filter(([id]) => id === 'REG-1' || id === 'ERR-1')).toEqual([['REG-1', 'pass'], ['ERR-1', 'non-strict']]);
  });

  it('group blocked cases under their root cause, which fails the requirement it breaks', () => {
    const blocker = { key: 'register answered HTTP 500', step: 'register', requirement: 'ERR-5', expected: 'register → 200', actual: 'HTTP 500' };
    const blocked = [caseResult('REG-1/a', 'blocked', { blocker }), caseResult('EXP-1/b', 'blocked', { blocker })];
    expect(rootCausesOf(blocked)).toEqual([expect.objectContaining({ key: 'register answered HTTP 500', caseIds: ['REG-1/a', 'EXP-1/b'], blocks: ['REG-1', 'EXP-1'] })]);
    const verdicts = verdictsOf(blocked);
    expect(verdicts).toContainEqual(['ERR-5', 'fail']);
    expect(verdicts).toContainEqual(['REG-1', 'blocked']);
    expect(verdicts).toContainEqual(['EXP-1', 'blocked']);
  });

  it('report a missing endpoint once, with the requirements it blocks', () => {
    const missing = ['REG-1/a', 'EXP-1/b'].map((id) => caseResult(id, 'unimplemented', { unimplemented: 'POST /api/relay/broadcast/heartbeat', actual: 'HTTP 404 <html>' }));
    expect(unimplementedOf(missing)).toEqual([{ endpoint: 'POST /api/relay/broadcast/heartbeat', status: 404, caseIds: ['REG-1/a', 'EXP-1/b'], blocks: ['REG-1', 'EXP-1'] }]);
    expect(verdictsOf(missing)).toContainEqual(['REG-1', 'unimplemented']);
  });

  it('charge an intermittent case to ERR-5 only, and a condition that is absent as not applicable', () => {
    const flaky = caseResult('REG-1/race', 'intermittent', { findings: [finding('ERR-5')], stability: 'intermittent' });
    const verdicts = verdictsOf([flaky, caseResult('TEST-2/x', 'not-applicable')]);
    expect(verdicts).toContainEqual(['ERR-5', 'fail']);
    expect(verdicts).toContainEqual(['REG-1', 'untested']);
    expect(verdicts).toContainEqual(['TEST-2', 'not-applicable']);
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
