/**
 * The reports of a run, on hand-built results (fixtures.ts): the RESULT
 * line per situation, the terminal tree and live lines, rerun commands
 * that a shell and --only read back to the case, results.json's kept
 * detail, --merge's schema check, and junit.xml parsed by a strict XML
 * parser (Chromium's) with exact counts, names and properties.
 */
import { reproFileName } from './repro.ts';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/usage-error.ts';
import { globToRegExp, matchesAny, splitPatterns } from '../glob.ts';
import { caseGlob, rerunCommand, renderTree, resultLine, terminalListener } from '../terminal-tree.ts';
import type { CaseResult, SuiteResult } from '../types.ts';
import { exchange, failingResult, fullResult, kase, requirement, smallResult } from './fixtures.ts';
import { toJunitXml } from './junit.ts';
import { evenShares, largestRemainder } from './junit-times.ts';
import { columnName, mergeReports, readResults } from './merge.ts';
import { toResultsJson } from './results-json.ts';
import { toReportHtml } from './html.ts';

const INVOCATION = "relaylab conformance --target https://relay.example:8443 --ca relay.pem --target-cmd './acme --ttl 300' --time-warp 60";

describe('the RESULT line', () => {
  it('names every kind that fails the run first, then what does not', () => {
    expect(resultLine(failingResult())).toBe(
      'RESULT: 3 MUST requirement(s) fail (READY-2, READY-3, ERR-5), 1 unimplemented endpoint (HB-*: POST /api/relay/broadcast/heartbeat), '
      + '2 MUST requirement(s) blocked by 1 root cause (READY-1, LIST-3); 1 MUST requirement(s) skipped, not checked (EXP-1); '
      + '4 non-strict findings under ERR-1 in 3 cases (--strict to fail on them); '
      + '1 intermittent under concurrency 6 (READY-3/seventeen: passed when rerun alone; counted under ERR-5); '
      + '1 requirement(s) baselined, not failing the run (ERR-3); warp 60x (--time-warp)',
    );
  });

  it('opens with a harness error: the suite broke, exit 70', () => {
    expect(resultLine(fullResult())).toMatch(/^RESULT: the suite itself broke in 1 case \(harness error, a relaylab bug: exit 70; AUTH-4\/as-registered-email\), 3 MUST requirement\(s\) fail \(READY-2, READY-3, ERR-5\), /);
  });

  it('says every MUST passes only when nothing is left to say', () => {
    expect(resultLine(smallResult())).toBe('RESULT: every MUST passes (or is baselined)');
    expect(resultLine(smallResult({ options: { warp: 60 } }))).toBe('RESULT: every MUST passes (or is baselined); warp 60x (--time-warp)');
    const baselined = smallResult({
      cases: [kase('GEN-1/json-everywhere'), kase('READY-2/invalid-port[0]', { verdict: 'fail', checked: [], findings: [{ requirement: 'READY-2', outcome: 'fail', expected: 'HTTP 400', actual: 'HTTP 200' }] })],
      requirements: [requirement('GEN-1', 'pass', ['GEN-1/json-everywhere']), requirement('READY-2', 'fail', ['READY-2/invalid-port[0]'], ['READY-2/invalid-port[0]'], true)],
    });
    expect(resultLine(baselined)).toBe('RESULT: every MUST passes (or is baselined); 1 requirement(s) baselined, not failing the run (READY-2)');
  });

  it('keeps the skipped-MUST wording, with (--fail-on-skip) when that fails the run', () => {
    const cases = [kase('GEN-1/json-everywhere'), kase('EXP-1/gone-after-ttl', { verdict: 'skip', skipReason: 'no clock', checked: [] })];
    const requirements = [requirement('GEN-1', 'pass', ['GEN-1/json-everywhere']), requirement('EXP-1', 'skip', ['EXP-1/gone-after-ttl'])];
    expect(resultLine(smallResult({ cases, requirements }))).toBe('RESULT: no MUST fails, but 1 MUST requirement(s) skipped, not checked (EXP-1)');
    expect(resultLine(smallResult({ cases, requirements, options: { failOnSkip: true } }))).toBe('RESULT: no MUST fails, but 1 MUST requirement(s) skipped, not checked (EXP-1) (--fail-on-skip)');
  });

  it('counts non-strict findings under ERR-1, failing the run only with --strict', () => {
    const cases = [kase('GEN-1/json-everywhere', { verdict: 'non-strict', findings: [{ requirement: 'ERR-1', outcome: 'non-strict', expected: 'code "x"', actual: 'code "y"' }] })];
    const requirements = [requirement('GEN-1', 'pass', ['GEN-1/json-everywhere']), requirement('ERR-1', 'non-strict', ['GEN-1/json-everywhere'], ['GEN-1/json-everywhere'])];
    expect(resultLine(smallResult({ cases, requirements }))).toBe('RESULT: no MUST fails; 1 non-strict finding under ERR-1 (--strict to fail on them)');
    expect(resultLine(smallResult({ cases, requirements, options: { strict: true } }))).toBe('RESULT: 1 non-strict finding under ERR-1 (--strict: they fail the run)');
  });

  it('names intermittent cases with the concurrency they failed at, and an endpoint with the requirements it blocks', () => {
    const flaky = smallResult({
      cases: [kase('GEN-1/json-everywhere', { verdict: 'intermittent', concurrency: 12, stability: 'intermittent', findings: [{ requirement: 'ERR-5', outcome: 'fail', expected: 'same answers', actual: 'HTTP 503' }] })],
      requirements: [requirement('GEN-1', 'pass', ['GEN-1/json-everywhere']), requirement('ERR-5', 'fail', ['GEN-1/json-everywhere'], ['GEN-1/json-everywhere'])],
    });
    expect(resultLine(flaky)).toBe('RESULT: 1 MUST requirement(s) fail (ERR-5); 1 intermittent under concurrency 12 (GEN-1/json-everywhere: passed when rerun alone; counted under ERR-5)');
    const missing = { ...smallResult({ cases: [kase('HB-1/alive', { verdict: 'unimplemented', unimplemented: 'POST /api/relay/broadcast/heartbeat', checked: [] }), kase('HB-2/x')], requirements: [requirement('HB-1', 'unimplemented', ['HB-1/alive']), requirement('HB-2', 'pass', ['HB-2/x'])] }) };
    missing.unimplemented = [{ endpoint: 'POST /api/relay/broadcast/heartbeat', status: 405, caseIds: ['HB-1/alive'], blocks: ['HB-1'] }];
    // HB-2 passed, so the list is HB-1, not the whole section HB-*.
    expect(resultLine(missing)).toBe('RESULT: 1 unimplemented endpoint (HB-1: POST /api/relay/broadcast/heartbeat)');
  });
});

describe('the terminal tree', () => {
  const tree = renderTree(fullResult());
  const lines = tree.split('\n');

  it('opens with harness errors, then root causes and each unimplemented endpoint once, before the sections', () => {
    expect(lines[0]).toBe("The suite itself broke in 1 case: a relaylab bug, not the relay's (exit 70); please report it with results.json");
    const fix = lines.indexOf('What to fix first');
    expect(fix).toBeGreaterThan(0);
    expect(lines[fix + 1]).toBe('  ✗ root cause: register answered HTTP 500 internal_error for 2 cases → ERR-5 (MUST)');
    expect(lines[fix + 4]).toBe('      blocks: READY-1, LIST-3');
    expect(lines[fix + 5]).toBe(`      rerun: ${INVOCATION} --only 'READY-1/*,LIST-3/*' --seed 4242`);
    expect(lines.filter((l) => l.includes('POST /api/relay/broadcast/heartbeat answered HTTP 404'))).toEqual(['  ∅ unimplemented: POST /api/relay/broadcast/heartbeat answered HTTP 404 for 4 cases → blocks HB-*']);
    expect(fix).toBeLessThan(lines.indexOf('GEN'));
  });

  it('marks each requirement by its verdict and lists the cases that did not pass, with kind, expected and actual', () => {
    for (const line of ['  ✓ GEN-1 (MUST) ', '  ! REG-8 (SHOULD) warn: ', '  ⊘ READY-1 (MUST) blocked: ', '  ✗ READY-2 (MUST) fail: ', '  ∅ HB-1 (MUST) unimplemented: ', '  - EXP-1 (MUST) skip: ', '  ~ ERR-1 (SHOULD) non-strict: ', '  ≈ ERR-3 (MUST) fail (baselined): ', '  ○ TEST-2 (MUST) not-applicable: ', '  · TEST-3 (MUST) untested: ']) {
      expect(lines.some((l) => l.startsWith(line)), line).toBe(true);
    }
    expect(tree).toContain('      ✗ READY-2/invalid-port[3.5] fail (deterministic): expected HTTP 400 {"code":"invalid_port"}; actual HTTP 200 {"status":"registered","expires_in":300}\n');
    expect(tree).toContain(`      rerun: ${INVOCATION} --only 'READY-2/*' --seed 4242\n`);
    expect(tree).toContain('      ~ ERR-4/wrong-method non-strict: expected code "method_not_allowed"; actual code "not_allowed" (+1 more finding(s) under ERR-1)\n');
    expect(tree).toContain('      ≋ READY-3/seventeen intermittent: failed with 6 case(s) at once, passed when rerun alone: expected HTTP 400 {"code":"invalid_addresses"}; actual HTTP 503 {"code":"store_unavailable"}\n');
    expect(tree).toContain(`rerun the run at the same concurrency (alone they pass): ${INVOCATION} --seed 4242 --concurrency 6\n`);
    expect(tree).toContain('      ⊘ blocked by root cause: register answered HTTP 500 internal_error: 2 cases (READY-1/accepted, LIST-3/sorted-by-email)\n');
    expect(tree).toContain('      - skip: TTL is 300 s, 5 s of real time at --time-warp 60, above --max-wait 1 s, and the relay offers no test-control profile (POST /api/test/clock): 1 case (EXP-1/gone-after-ttl)\n');
    expect(tree).not.toContain('READY-2/invalid-port[0]');
    expect(lines.at(-2)).toBe(resultLine(fullResult()));
  });

  it('prints each case that did not pass as it ends, and the verdict of its rerun', () => {
    let text = '';
    const listener = terminalListener({ write: (s: string) => (text += s), isTTY: false });
    const result = fullResult();
    const byId = (id: string) => result.cases.find((c) => c.caseId === id) as CaseResult;
    listener.onStart?.({ total: 3, time: result.time, targetUrl: result.target.url, missingEndpoints: ['POST /api/relay/broadcast/heartbeat'] });
    listener.onCaseEnd?.(byId('GEN-1/json-everywhere'), 1, 3);
    listener.onCaseEnd?.(byId('READY-2/invalid-port[3.5]'), 2, 3);
    listener.onCaseEnd?.(byId('LIST-3/sorted-by-email'), 3, 3);
    listener.onRerun?.(byId('READY-3/seventeen'));
    expect(text).toBe([
      'relaylab conformance → https://relay.example:8443: 3 cases, declared TTL 300 s, expiry via real-time, relay clock 60x faster (--time-warp): a broadcast with TTL 300 s expired after 5.1 s of real time (60x)',
      '  endpoints that answered 404/405 (their cases are unimplemented): POST /api/relay/broadcast/heartbeat',
      '  ✗ READY-2/invalid-port[3.5] fail',
      '      expected: HTTP 400 {"code":"invalid_port"}',
      '      actual:   HTTP 200 {"status":"registered","expires_in":300}',
      '  ⊘ LIST-3/sorted-by-email blocked: register answered HTTP 500 internal_error (breaks ERR-5)',
      '  rerun: ≋ READY-3/seventeen intermittent: passed when rerun alone (3 attempts); counted under ERR-5',
      '',
    ].join('\n'));
    let live = '';
    const tty = terminalListener({ write: (s: string) => (live += s), isTTY: true });
    tty.onCaseEnd?.(byId('GEN-1/json-everywhere'), 1, 2);
    tty.onCaseEnd?.(byId('EXP-1/gone-after-ttl'), 2, 2);
    expect(live).toBe(`\r\x1b[2K[1/2] GEN-1/json-everywhere\r\x1b[2K  - EXP-1/gone-after-ttl skip: ${byId('EXP-1/gone-after-ttl').skipReason}\n`);
  });
});

describe('rerun commands', () => {
  it('start from the invocation, or from the target when run as a library', () => {
    const result = fullResult();
    expect(rerunCommand(result, 'READY-2/*')).toBe(`${INVOCATION} --only 'READY-2/*' --seed 4242`);
    expect(rerunCommand({ ...result, invocation: null }, 'READY-2/*')).toBe("npx relaylab conformance --target https://relay.example:8443 --only 'READY-2/*' --seed 4242");
    expect(rerunCommand({ ...result, invocation: null, target: { url: 'http://10.0.0.2:8080', auth: 'header:X-Client-Cert' } }, 'A/b')).toBe("npx relaylab conformance --target http://10.0.0.2:8080 --auth header:X-Client-Cert --only 'A/b' --seed 4242");
  });

  it('reach the shell and --only as exactly the case, whatever its id holds', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'relaylab-quote-'));
    const ids = ['READY-2/invalid-port["8080"]', "ERR-2/invalid-json[{'port': 1} to heartbeat]", 'ERR-2/invalid-json[{"port": 80,} to heartbeat]', `X-1/$(touch ${dir}/pwned) \`touch ${dir}/pwned\` $HOME \\ !`];
    for (const id of ids) {
      const words = execFileSync('sh', ['-c', `printf '%s\\n' ${rerunCommand(smallResult(), caseGlob(id))}`], { encoding: 'utf8' }).split('\n');
      const only = words[words.indexOf('--only') + 1] ?? '';
      const patterns = splitPatterns([only]).map(globToRegExp);
      expect(patterns.length, id).toBe(1);
      expect(matchesAny(patterns, id), id).toBe(true);
      expect(matchesAny(patterns, 'READY-2/invalid-port[3.5]'), id).toBe(false);
    }
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });
});

describe('results.json', () => {
  it('is schema 2 and keeps exchanges only for the cases an implementer must look at', () => {
    const result = fullResult();
    const json = JSON.parse(toResultsJson(result)) as Omit<SuiteResult, 'cases'> & { cases: Array<CaseResult & { exchangeCount: number }> };
    expect(json.schemaVersion).toBe(2);
    const kept = Object.fromEntries(json.cases.map((c) => [c.caseId, c.exchanges.length]));
    expect(json.cases.map((c) => c.exchangeCount)).toEqual(result.cases.map((c) => c.exchanges.length));
    for (const c of json.cases) {
      const shouldKeep = !['pass', 'skip', 'not-applicable'].includes(c.verdict);
      expect(kept[c.caseId], c.caseId).toBe(shouldKeep ? c.exchangeCount : 0);
    }
    expect(kept['READY-2/invalid-port[3.5]']).toBe(1);
    expect(kept['LIST-3/sorted-by-email']).toBe(1);
    expect(kept['READY-3/seventeen']).toBe(1);
    expect([kept['READY-2/invalid-port[0]'], kept['EXP-1/gone-after-ttl'], kept['TEST-2/refuses-zero-advance']]).toEqual([0, 0, 0]);
    expect(json.cases.filter((c) => ['READY-2/invalid-port[0]', 'EXP-1/gone-after-ttl', 'TEST-2/refuses-zero-advance'].includes(c.caseId)).map((c) => c.exchangeCount)).toEqual([1, 1, 1]);
    const passing = { ...result, cases: [kase('GEN-1/json-everywhere', { exchanges: result.cases[3]?.exchanges ?? [], identities: [{ label: 'id1' } as never] })] };
    const dropped = JSON.parse(toResultsJson(passing)).cases[0];
    expect([dropped.exchanges, dropped.identities, dropped.exchangeCount]).toEqual([[], [], 1]);
  });
});

describe('relaylab report --merge reads results.json', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relaylab-merge-'));
  });

  it('takes schema 2 and names a column by its --label, else its target URL', async () => {
    await mkdir(join(dir, 'acme'), { recursive: true });
    await writeFile(join(dir, 'acme', 'results.json'), toResultsJson({ ...failingResult(), label: undefined }));
    const read = await readResults(join(dir, 'acme', 'results.json'));
    expect(read.rootCauses).toHaveLength(1);
    expect(columnName(read)).toBe('https://relay.example:8443');
    expect(columnName({ ...read, label: 'acme' })).toBe('acme');
  });

  it('refuses two runs with one name in one line naming both files', async () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    await writeFile(a, toResultsJson({ ...failingResult(), label: 'same' }));
    await writeFile(b, toResultsJson({ ...smallResult(), label: 'same' }));
    const error = await mergeReports([a, b], join(dir, 'out')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(`${a} and ${b} are both named "same" (--label): give each run its own --label when running relaylab conformance`);
    // Unlabelled runs of one target collide on the URL.
    await writeFile(b, toResultsJson({ ...smallResult() }));
    await writeFile(a, toResultsJson({ ...failingResult(), label: undefined }));
    await expect(mergeReports([a, b], join(dir, 'out'))).rejects.toThrow(`${a} and ${b} are both named "https://relay.example:8443" (target URL)`);
  });

  it('links to the report.html next to results.json only when it holds every anchor a cell needs, else writes one under runs/', async () => {
    for (const name of ['fresh', 'stale']) await mkdir(join(dir, name), { recursive: true });
    const fresh = { ...failingResult(), label: 'fresh' };
    const stale = { ...smallResult(), label: 'stale' };
    await writeFile(join(dir, 'fresh', 'results.json'), toResultsJson(fresh));
    await writeFile(join(dir, 'fresh', 'report.html'), toReportHtml([fresh]));
    await writeFile(join(dir, 'stale', 'results.json'), toResultsJson(stale));
    // From another version: it has one of the anchors, not the others.
    await writeFile(join(dir, 'stale', 'report.html'), '<html><body><p id="req-GEN-1">old</p></body></html>');
    const written = await mergeReports([join(dir, 'fresh', 'results.json'), join(dir, 'stale', 'results.json')], join(dir, 'matrix'));
    expect(written.generated).toEqual([join(dir, 'matrix', 'runs', '2-stale', 'report.html')]);
    const html = await readFile(written.path, 'utf8');
    expect(html).toContain('href="../fresh/report.html#fail-READY-2"');
    expect(html).toContain('href="runs/2-stale/report.html#req-GEN-1"');
    expect(html).not.toContain('href="../stale/report.html');
  });

  it('refuses another schema version in one line that says what to do, and anything else', async () => {
    await writeFile(join(dir, 'old.json'), JSON.stringify({ schemaVersion: 1, requirements: [], cases: [] }));
    const old = await readResults(join(dir, 'old.json')).catch((e: unknown) => e);
    expect(old).toBeInstanceOf(UsageError);
    expect((old as Error).message).toBe(`${join(dir, 'old.json')} is a schemaVersion 1 results.json from an older relaylab; this one reads schemaVersion 2: rerun relaylab conformance --reports DIR with the same version to merge them`);
    await writeFile(join(dir, 'new.json'), JSON.stringify({ schemaVersion: 3, requirements: [], cases: [] }));
    await expect(readResults(join(dir, 'new.json'))).rejects.toThrow(/is a schemaVersion 3 results\.json from a newer relaylab;/);
    await writeFile(join(dir, 'other.json'), JSON.stringify({ hello: 1 }));
    await expect(readResults(join(dir, 'other.json'))).rejects.toThrow(/is not a results\.json written by relaylab conformance \(schemaVersion 2\)$/);
    await writeFile(join(dir, 'text.json'), 'RESULT: pass');
    await expect(readResults(join(dir, 'text.json'))).rejects.toThrow(/text\.json is not a results\.json written by relaylab conformance: not JSON$/);
    await expect(readResults(join(dir, 'missing.json'))).rejects.toThrow(/^cannot read results .*missing\.json: no such file$/);
    await expect(readResults(dir)).rejects.toThrow(/: is a folder, not a results\.json$/);
  });
});

interface ParsedCase { name: string; classname: string; time: string; props: Record<string, string>; child: string | null; type: string | null; message: string | null; text: string }
interface ParsedSuite { name: string; attrs: Record<string, string>; props: Record<string, string>; cases: ParsedCase[] }
interface Parsed { error: string | null; root: Record<string, string>; comment: string; suites: ParsedSuite[] }

describe('junit.xml', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  }, 60_000);
  afterAll(async () => browser?.close());

  /** Chromium's XML parser is strict (well-formedness errors become a <parsererror>). */
  async function parse(xml: string): Promise<Parsed> {
    const page = await browser.newPage();
    try {
      return await page.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, 'application/xml');
        const error = doc.getElementsByTagName('parsererror')[0];
        const attrs = (e: Element) => Object.fromEntries([...e.attributes].map((a) => [a.name, a.value]));
        const props = (e: Element) => Object.fromEntries([...e.children].filter((c) => c.tagName === 'properties').flatMap((p) => [...p.children]).map((p) => [p.getAttribute('name') ?? '', p.getAttribute('value') ?? '']));
        const root = doc.documentElement;
        return {
          error: error ? error.textContent : null,
          root: attrs(root),
          comment: [...doc.childNodes].filter((n) => n.nodeType === 8).map((n) => n.textContent ?? '').join(''),
          suites: [...root.children].map((s) => ({
            name: s.getAttribute('name') ?? '',
            attrs: attrs(s),
            props: props(s),
            cases: [...s.children].filter((c) => c.tagName === 'testcase').map((c) => {
              const child = [...c.children].find((x) => x.tagName !== 'properties') ?? null;
              return { name: c.getAttribute('name') ?? '', classname: c.getAttribute('classname') ?? '', time: c.getAttribute('time') ?? '', props: props(c), child: child?.tagName ?? null, type: child?.getAttribute('type') ?? null, message: child?.getAttribute('message') ?? null, text: child?.textContent ?? '' };
            }),
          })),
        };
      }, xml);
    } finally {
      await page.close();
    }
  }

  it('the checker itself refuses malformed XML', async () => {
    expect((await parse('<a><b></a>')).error).not.toBeNull();
    expect((await parse('<a x="1" x="2"/>')).error).not.toBeNull();
  });

  it('is well-formed, one testsuite per section, one testcase per case named by its id, with exact counts', async () => {
    const result = fullResult();
    const parsed = await parse(toJunitXml(result));
    expect(parsed.error).toBeNull();
    expect(parsed.suites.map((s) => s.name)).toEqual(['GEN', 'REG', 'AUTH', 'READY', 'HB', 'LOOKUP', 'LIST', 'EXP', 'ERR', 'PERF', 'TEST', 'RUN']);
    const all = parsed.suites.flatMap((s) => s.cases);
    const extras = ['root-cause: register answered HTTP 500 internal_error', 'unimplemented: POST /api/relay/broadcast/heartbeat', 'ERR-5/intermittent-under-concurrency', 'setup-and-teardown'];
    expect(all.map((c) => c.name).sort()).toEqual([...result.cases.map((c) => c.caseId), ...extras].sort());
    expect(parsed.root).toMatchObject({ tests: '29', failures: '13', errors: '1', skipped: '4', time: '12.345' });
    for (const suite of parsed.suites) {
      const count = (tag: string) => String(suite.cases.filter((c) => c.child === tag).length);
      expect(suite.attrs, suite.name).toMatchObject({ tests: String(suite.cases.length), failures: count('failure'), errors: count('error'), skipped: count('skipped') });
      expect(suite.cases.every((c) => c.classname === `relay.${suite.name}`)).toBe(true);
      expect(suite.attrs.time).toBe((suite.cases.reduce((sum, c) => sum + Math.round(Number(c.time) * 1000), 0) / 1000).toFixed(3));
      expect(suite.props).toMatchObject({ seed: '4242', target: 'https://relay.example:8443', label: 'acme-relay', rerun: suite.name === 'RUN' ? `${INVOCATION} --seed 4242 --concurrency 6` : `${INVOCATION} --only '${suite.name}-*' --seed 4242` });
    }
    // These fixture exchanges were recorded outside the run's window: no case has a share, the setup testcase holds all 12.345 s.
    expect(all.find((c) => c.name === 'setup-and-teardown')?.time).toBe('12.345');
    const sum = (result.cases.reduce((total, c) => total + c.durationMs, 0) / 1000).toFixed(3);
    expect(parsed.comment).toContain(`<testsuites> is the run's wall-clock time (12.345 s) and equals the sum of the <testsuite> times`);
    expect(parsed.comment).toContain(`its own duration is the case.duration property (all cases: ${sum} s)`);
  });

  it('gives each testcase its share of the wall time, so the times add up to the run exactly', async () => {
    // A 1 s run: A and B overlap for 200 ms (exchanges tell when), C starts at 700 ms (startedAtMs), D made no request.
    const start = Date.parse('2025-01-02T03:04:05.000Z');
    const at = (fromMs: number, toMs: number) => ({ ...exchange('GET', '/api/health', 200, '{}'), startedAtMs: start + fromMs, durationMs: toMs - fromMs });
    const cases = [
      kase('GEN-1/a', { durationMs: 400, exchanges: [at(0, 150), at(300, 400)] }),
      kase('GEN-1/b', { durationMs: 400, exchanges: [at(500, 600)] }),
      Object.assign(kase('EXP-1/c', { durationMs: 100 }), { startedAtMs: start + 700 }),
      kase('EXP-1/d', { durationMs: 1, verdict: 'skip', skipReason: 'no TTL' }),
    ];
    const result = smallResult({ cases, requirements: [requirement('GEN-1', 'pass', ['GEN-1/a', 'GEN-1/b']), requirement('EXP-1', 'pass', ['EXP-1/c', 'EXP-1/d'])] });
    result.durationMs = 1000;
    const parsed = await parse(toJunitXml(result));
    expect(parsed.error).toBeNull();
    const time = Object.fromEntries(parsed.suites.flatMap((s) => s.cases).map((c) => [c.name, c.time]));
    // 0-200: A alone; 200-400: A and B; 400-600: B alone; 700-800: C; the 300 ms left: setup and teardown.
    expect(time).toEqual({ 'GEN-1/a': '0.300', 'GEN-1/b': '0.300', 'EXP-1/c': '0.100', 'EXP-1/d': '0.000', 'setup-and-teardown': '0.300' });
    expect(Object.fromEntries(parsed.suites.map((s) => [s.name, s.attrs.time]))).toEqual({ GEN: '0.600', EXP: '0.100', RUN: '0.300' });
    expect(parsed.root.time).toBe('1.000');
    const cased = parsed.suites.flatMap((s) => s.cases).find((c) => c.name === 'GEN-1/a');
    expect(cased?.props).toMatchObject({ 'case.duration': '0.400', 'case.concurrency': '6' });
  });

  it('splits time in whole milliseconds that still sum exactly (three cases sharing 1 ms)', () => {
    expect(evenShares([[0, 1], [0, 1], [0, 1], null])).toEqual([1 / 3, 1 / 3, 1 / 3, 0]);
    expect(largestRemainder([1 / 3, 1 / 3, 1 / 3, 0])).toEqual([1, 0, 0, 0]);
    expect(largestRemainder([2.5, 2.5, 5])).toEqual([3, 2, 5]);
  });

  it('marks a partial run (Ctrl-C) in every testsuite and escapes control characters and newlines in attributes', async () => {
    const base = smallResult();
    const result = { ...base, label: 'tab\there\u0001', partial: { signal: 'SIGINT', note: '1 of 2 cases finished <&>' } } as SuiteResult;
    const parsed = await parse(toJunitXml(result));
    expect(parsed.error).toBeNull();
    for (const suite of parsed.suites) {
      expect(suite.props.partial, suite.name).toBe('SIGINT: the run was stopped early; only what finished is here. 1 of 2 cases finished <&>.');
      expect(suite.props.label).toBe('tab\there\uFFFD');
    }
    expect((await parse(toJunitXml(base))).suites.every((s) => s.props.partial === undefined)).toBe(true);
    // The requirement sentences of a two-requirement case keep their newline inside the attribute.
    const fullParsed = await parse(toJunitXml(fullResult()));
    expect(fullParsed.suites.flatMap((s) => s.cases).find((c) => c.name === 'READY-3/host-name')?.props['requirement.text']).toContain('`invalid_addresses`.\nERR-1 (SHOULD)');
  });

  it('carries the requirement, its sentence and the kind, and fails only what fails the run', async () => {
    const byName = new Map((await parse(toJunitXml(fullResult()))).suites.flatMap((s) => s.cases).map((c) => [c.name, c]));
    const get = (name: string) => byName.get(name) as ParsedCase;
    // Filed under the section of its first (primary) requirement.
    expect(get('READY-3/host-name').classname).toBe('relay.READY');
    expect(get('READY-3/host-name').props).toEqual({
      requirement: 'READY-3, ERR-1',
      'requirement.text': 'READY-3 (MUST): `addresses` MUST be a JSON array of 1 to 16 strings; anything else MUST answer 400 `invalid_addresses`.\nERR-1 (SHOULD): Every 4xx answer SHOULD have the body `{"error": string, "code": string}` with the code this specification gives for the case.',
      kind: 'fail',
      'case.duration': '0.070',
      'case.concurrency': '6',
    });
    expect(get('READY-2/invalid-port[3.5]').props['case.duration']).toBe('0.060');
    expect(get('READY-2/invalid-port[3.5]')).toMatchObject({ child: 'failure', type: 'fail', message: 'READY-2 (MUST) fail: expected HTTP 400 {"code":"invalid_port"}; actual HTTP 200 {"status":"registered","expires_in":300}' });
    expect(get('READY-2/invalid-port[3.5]').text).toContain(`rerun: ${INVOCATION} --only 'READY-2/invalid-port[3.5]' --seed 4242\nrepro script: repro/${reproFileName('READY-2/invalid-port[3.5]')}`);
    expect(get('READY-2/invalid-port[0]')).toMatchObject({ child: null, props: { kind: 'pass' } });
    expect(get('HB-1/alive')).toMatchObject({ child: 'failure', type: 'unimplemented' });
    expect(get('LIST-3/sorted-by-email')).toMatchObject({ child: 'failure', type: 'blocked' });
    expect(get('REG-8/expired')).toMatchObject({ child: 'system-out' });
    expect(get('REG-8/expired').text).toMatch(/^WARNING \(SHOULD, does not fail the run\): REG-8 \(SHOULD\) fail: /);
    expect(get('READY-3/seventeen')).toMatchObject({ child: 'system-out', props: { kind: 'intermittent' } });
    expect(get('READY-3/seventeen').text).toMatch(/^INTERMITTENT: failed with 6 case\(s\) at once, passed when rerun alone \(3 attempts\)/);
    expect(get('ERR-5/intermittent-under-concurrency')).toMatchObject({ child: 'failure', type: 'intermittent', message: '1 case(s) failed under concurrency and passed when rerun alone: READY-3/seventeen' });
    expect(get('root-cause: register answered HTTP 500 internal_error')).toMatchObject({ child: 'failure', type: 'fail', props: { requirement: 'ERR-5' } });
    expect(get('unimplemented: POST /api/relay/broadcast/heartbeat')).toMatchObject({ child: 'failure', type: 'unimplemented', props: { requirement: 'HB-1, HB-2, HB-3, HB-4' } });
    expect(get('LOOKUP-4/missing-email')).toMatchObject({ child: 'system-out', props: { kind: 'non-strict' } });
    expect(get('ERR-3/upper-case-path')).toMatchObject({ child: 'skipped' });
    expect(get('ERR-3/upper-case-path').message).toMatch(/^baselined known failure \(known-failures\.txt\): ERR-3 \(MUST\) fail: /);
    expect(get('EXP-1/gone-after-ttl')).toMatchObject({ child: 'skipped', message: `skipped: ${fullResult().cases.find((c) => c.caseId === 'EXP-1/gone-after-ttl')?.skipReason}` });
    expect(get('TEST-2/refuses-zero-advance')).toMatchObject({ child: 'skipped', message: 'not applicable: the relay offers no test-control profile (POST /api/test/clock answered 404)' });
    expect(get('AUTH-4/as-registered-email')).toMatchObject({ child: 'error', type: 'harness-error' });
  });

  it('fails non-strict cases with --strict', async () => {
    const strict = failingResult();
    strict.options = { ...strict.options, strict: true };
    const parsed = await parse(toJunitXml(strict));
    const cases = parsed.suites.flatMap((s) => s.cases);
    expect(cases.filter((c) => c.type === 'non-strict').map((c) => c.name)).toEqual(['LOOKUP-4/missing-email', 'ERR-4/wrong-method']);
    expect(parsed.root).toMatchObject({ tests: '28', failures: '15', errors: '0', skipped: '4' });
  });
});
