/**
 * report.html in headless Chromium, with no console errors: it opens with
 * what to fix first (root causes, then unimplemented endpoints, then
 * failures by requirement), its in-page links resolve, every failure shows
 * its rerun command and repro script, the groups (non-strict, intermittent,
 * blocked, skipped) hold their cases, the filters work, and it reads at
 * 1280 and at 400 px without horizontal scrolling. On hand-built results
 * with every kind, and on a real run against a mutant relay.
 */
import { reproFileName } from './repro.ts';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_MUTANTS, startMutant } from '../../mutants/catalog.ts';
import { runSuite } from '../run-suite.ts';
import { resultLine } from '../terminal-tree.ts';
import type { SuiteResult } from '../types.ts';
import { failingResult, fullResult, kase, requirement, smallResult } from './fixtures.ts';
import { REQUIREMENT_VERDICTS, toReportHtml } from './html.ts';
import { toMergedHtml } from './merged-html.ts';

const INVOCATION = "relaylab conformance --target https://relay.example:8443 --ca relay.pem --target-cmd './acme --ttl 300' --time-warp 60";

let browser: Browser;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relaylab-report-'));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}, 60_000);

afterAll(async () => browser?.close());

async function open(html: string, name: string, width = 1280) {
  const path = join(dir, name);
  await writeFile(path, html);
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('request', (r) => !r.url().startsWith('file://') && requests.push(r.url()));
  await page.goto(`file://${path}`);
  return { page, problems, requests, path };
}

/** In-page links whose target id is not in the document. */
function brokenLinks(page: Page): Promise<string[]> {
  return page.evaluate(() => [...document.querySelectorAll('a[href^="#"]')].map((a) => a.getAttribute('href') ?? '').filter((href) => document.getElementById(decodeURIComponent(href.slice(1))) === null));
}

describe('report.html in Chromium', () => {
  it('opens with the run and the RESULT line, then what to fix first, root causes first', async () => {
    const result = failingResult();
    const { page, problems, requests } = await open(toReportHtml([result]), 'order.html');
    expect(await page.locator('.result .line').textContent()).toBe(resultLine(result));
    const run = Object.fromEntries(await page.locator('dl.run > div').evaluateAll((rows) => rows.map((r) => [r.querySelector('dt')?.textContent, r.querySelector('dd')?.textContent])));
    expect(run).toMatchObject({
      label: 'acme-relay', target: 'https://relay.example:8443', seed: '4242 (rerun with --seed 4242 for the same inputs)', 'declared TTL': '300 s (expires_in)',
      'expiry strategy': 'real-time: waited out the TTL (300 s of relay time, 5 s of real time at --time-warp 60); --max-wait 120 s', concurrency: '6 case(s) at once', strict: 'no: non-strict findings do not fail the run',
      warp: '60x: --time-warp 60 started the relay under libfaketime, its clock 60 times faster; check: a broadcast with TTL 300 s expired after 5.1 s of real time (60x)',
      command: INVOCATION, started: '2025-01-02T03:04:05.000Z', duration: '12.3 s',
    });
    expect(await page.locator('h2').first().textContent()).toBe('What to fix first');
    expect(await page.locator('#fix-first > section').evaluateAll((s) => s.map((x) => x.id))).toEqual(['root-causes', 'unimplemented', 'failures']);
    const cause = page.locator('#root-causes article').first();
    expect(await cause.locator('h4').textContent()).toBe('register answered HTTP 500 internal_error for 2 cases');
    expect(await cause.textContent()).toContain('Breaks ERR-5 (MUST)');
    expect(await cause.textContent()).toContain('Left unchecked: READY-1, LIST-3.');
    expect(await cause.locator('code.cmd').textContent()).toBe(`${INVOCATION} --only 'READY-1/*,LIST-3/*' --seed 4242`);
    expect(await page.locator('#unimplemented article h4').textContent()).toBe('POST /api/relay/broadcast/heartbeat answered HTTP 404: not implemented');
    // MUST failures first, a SHOULD one (warn) after them, the baselined one last.
    expect(await page.locator('#failures > article').evaluateAll((a) => a.map((x) => x.id))).toEqual(['fail-READY-2', 'fail-READY-3', 'fail-ERR-5', 'fail-REG-8', 'fail-ERR-3']);
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
  }, 30_000);

  it('links each failing requirement to its cases, each with expected/actual, findings, exchanges, repro script and rerun command', async () => {
    const { page, problems } = await open(toReportHtml([fullResult()]), 'links.html');
    expect(await brokenLinks(page)).toEqual([]);
    const entry = page.locator('#fail-READY-2');
    expect(await entry.locator('.rerun code.cmd').first().textContent()).toBe(`${INVOCATION} --only 'READY-2/*' --seed 4242`);
    const links = await entry.locator('p.links a').evaluateAll((a) => a.map((x) => [x.textContent, x.getAttribute('href')]));
    expect(links).toEqual([['READY-2/invalid-port[3.5]', '#case-READY-2_invalid-port_3_5_'], ['READY-2/invalid-port["8080"]', '#case-READY-2_invalid-port__8080__']]);
    expect(await page.locator('#fail-ERR-5 p.links').allTextContents()).toEqual(['fail ERR-5/concurrent-register', 'intermittent READY-3/seventeen']);
    expect(await page.locator('#fail-ERR-5 ul a').getAttribute('href')).toBe('#root-cause-1');
    await entry.locator('p.links a').first().click();
    expect(await page.evaluate(() => location.hash)).toBe('#case-READY-2_invalid-port_3_5_');
    const kase = page.locator('#case-READY-2_invalid-port_3_5_');
    expect(await kase.locator('pre').first().textContent()).toBe('expected: HTTP 400 {"code":"invalid_port"}\nactual:   HTTP 200 {"status":"registered","expires_in":300}');
    expect(await kase.locator('ul.findings li').first().textContent()).toBe('READY-2fail MUSTexpectedHTTP 400 {"code":"invalid_port"}actualHTTP 200 {"status":"registered","expires_in":300}');
    expect(await kase.locator('code.cmd').textContent()).toBe(`${INVOCATION} --only 'READY-2/invalid-port[3.5]' --seed 4242`);
    expect(await kase.textContent()).toContain(`Repro script: repro/${reproFileName('READY-2/invalid-port[3.5]')}`);
    await kase.locator('details summary').click();
    expect(await kase.locator('details pre').textContent()).toMatch(/^> POST \/api\/relay\/broadcast\/ready {3}\[client certificate: id1\]\n> content-type: application\/json\n>\n> \{"port":3\.5,/);
    // A case failing two requirements lists both findings.
    expect(await page.locator('#case-READY-3_host-name ul.findings li').count()).toBe(2);
    // The relay's text is shown, never run: the title stays.
    expect(await page.title()).toBe('Relay conformance: acme-relay (https://relay.example:8443)');
    expect(await page.locator('#case-READY-1_accepted details pre').textContent()).toContain("</pre><script>document.title='pwned'</script>");
    expect(problems).toEqual([]);
  }, 30_000);

  it('gives cases whose ids differ only in punctuation their own anchors', async () => {
    const failing = (id: string) => kase(id, { verdict: 'fail', checked: [], expected: 'HTTP 400', actual: 'HTTP 200', findings: [{ requirement: 'READY-2', outcome: 'fail', expected: 'HTTP 400', actual: 'HTTP 200' }] });
    const ids = ['READY-2/invalid-port["8080"]', 'READY-2/invalid-port[[8080]]', 'READY-2/invalid-port__8080__'];
    const result = smallResult({ cases: ids.map(failing), requirements: [requirement('READY-2', 'fail', ids, ids)] });
    const { page, problems } = await open(toReportHtml([result]), 'anchors.html');
    const hrefs = await page.locator('#fail-READY-2 p.links a').evaluateAll((a) => a.map((x) => x.getAttribute('href')));
    expect(new Set(hrefs).size).toBe(3);
    for (const [i, href] of hrefs.entries()) expect(await page.locator(`[id="${href?.slice(1)}"] h5 code`).textContent()).toBe(ids[i]);
    expect(await brokenLinks(page)).toEqual([]);
    expect(problems).toEqual([]);
  }, 30_000);

  it('puts non-strict, intermittent, blocked, skipped and not-applicable cases in their own groups, and PERF-1 latency', async () => {
    const { page, problems } = await open(toReportHtml([fullResult()]), 'groups.html');
    const ids = (selector: string) => page.locator(`${selector} .case h5 code`).allTextContents();
    expect(await ids('#non-strict')).toEqual(['LOOKUP-4/missing-email', 'ERR-4/wrong-method']);
    expect(await page.locator('#non-strict').textContent()).toContain('Non-strict findings also in: READY-3/host-name fail');
    expect(await page.locator('#non-strict > p.muted').textContent()).toContain('They do not fail the run; --strict makes them fail it.');
    expect(await ids('#intermittent')).toEqual(['READY-3/seventeen']);
    expect(await page.locator('#case-READY-3_seventeen').textContent()).toContain('failed with 6 case(s) at once, passed when rerun alone; 3 attempts');
    expect(await page.locator('#intermittent code.cmd').first().textContent()).toBe(`${INVOCATION} --seed 4242 --concurrency 6`);
    expect(await ids('#blocked-1')).toEqual(['READY-1/accepted', 'LIST-3/sorted-by-email']);
    expect(await page.locator('#skipped .item h4').allTextContents()).toEqual([
      'skip TTL is 300 s, 5 s of real time at --time-warp 60, above --max-wait 1 s, and the relay offers no test-control profile (POST /api/test/clock)',
      'not-applicable the relay offers no test-control profile (POST /api/test/clock answered 404)',
    ]);
    expect(await page.locator('#skipped li code').allTextContents()).toEqual(['EXP-1/gone-after-ttl', 'EXP-5/lifetime-matches', 'TEST-2/refuses-zero-advance']);
    expect(await ids('#harness-errors')).toEqual(['AUTH-4/as-registered-email']);
    expect(await page.locator('#performance tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)))).toEqual([
      ['POST /api/relay/register', '500', '12', '48.5'],
      ['GET /api/relay/broadcast/lookup', '500', '3', '9'],
    ]);
    const none = await open(toReportHtml([smallResult()]), 'small.html');
    expect(await none.page.locator('#performance').textContent()).toBe('PERF-1 latencyPERF-1 was not selected (--only)');
    expect(await none.page.locator('#fix-first').textContent()).toBe('What to fix firstRoot causesNone: no setup step failed.Unimplemented endpointsNone: every endpoint the cases used exists.Failures by requirementNone: no requirement fails.');
    expect([...problems, ...none.problems]).toEqual([]);
  }, 30_000);

  it('filters the requirement table by level, verdict and text', async () => {
    const result = fullResult();
    const { page, problems } = await open(toReportHtml([result]), 'filters.html');
    expect(await page.locator('.filters input[type=checkbox]').evaluateAll((b) => b.map((x) => (x as HTMLInputElement).value))).toEqual(['MUST', 'SHOULD', 'MAY', ...REQUIREMENT_VERDICTS, 'mixed']);
    expect(await page.locator('tr.req').count()).toBe(result.requirements.length);
    expect(await page.locator('tr.req:visible').count()).toBe(result.requirements.length);
    await page.locator('.filters input[value="pass"]').uncheck();
    await page.locator('.filters input[value="untested"]').uncheck();
    expect(await page.locator('tr.req:visible').count()).toBe(result.requirements.filter((r) => r.verdict !== 'pass' && r.verdict !== 'untested').length);
    await page.locator('.filters input[value="SHOULD"]').uncheck();
    expect(await page.locator('tr.req:visible td:first-child').allTextContents()).toEqual(result.requirements.filter((r) => r.verdict !== 'pass' && r.verdict !== 'untested' && r.level !== 'SHOULD').map((r) => r.id));
    await page.locator('#search').fill('invalid_port');
    expect(await page.locator('tr.req:visible td:first-child').allTextContents()).toEqual(['READY-2']);
    await page.locator('#search').fill('');
    await page.locator('.filters input[value="fail"]').uncheck();
    expect(await page.locator('tr.req:visible[data-verdict="fail"]').count()).toBe(0);
    // Each non-passing case in the table links to its detail.
    expect(await page.locator('#req-HB-1 a').getAttribute('href')).toBe('#case-HB-1_alive');
    expect(problems).toEqual([]);
  }, 30_000);

  it('reads at 400 px and at 1280 px without horizontal scrolling', async () => {
    for (const width of [400, 1280]) {
      const { page, problems } = await open(toReportHtml([fullResult()]), `width-${width}.html`, width);
      await page.locator('details summary').evaluateAll((s) => s.forEach((x) => (x as HTMLElement).click()));
      expect(await page.evaluate(() => document.documentElement.scrollWidth), `width ${width}`).toBeLessThanOrEqual(width);
      await page.screenshot({ path: join(dir, `report-${width}.png`), fullPage: true });
      expect(problems).toEqual([]);
    }
  }, 60_000);

  it('renders the merged matrix: a column per run with its seed, TTL and dates, totals per run, a partial run marked', async () => {
    const a = { ...failingResult(), label: 'acme' };
    const b = { ...smallResult(), label: undefined, partial: { signal: 'SIGINT', note: 'stopped after 2 of 200 cases' } } as SuiteResult;
    const columns = [a, b].map((result) => ({ result, name: result.label ?? result.target.url, file: null, href: null, anchors: null }));
    for (const width of [1280, 400]) {
      const { page, problems } = await open(toMergedHtml(columns), `merged-${width}.html`, width);
      expect(await page.locator('#matrix thead tr').first().locator('th').allTextContents()).toEqual(['Id', 'Level', 'Requirement', 'acme', 'https://relay.example:8443 partial']);
      const meta = Object.fromEntries(await page.locator('#matrix thead tr.meta').evaluateAll((rows) => rows.map((r) => [r.querySelector('th')?.textContent, [...r.querySelectorAll('td:not(.text)')].map((td) => td.textContent)])));
      const chips = (result: SuiteResult) => REQUIREMENT_VERDICTS.map((v) => [v, result.requirements.filter((r) => r.verdict === v).length] as const).filter(([, n]) => n > 0).map(([v, n]) => `${n} ${v}`).join(' ');
      expect(meta.requirements).toEqual([chips(a), chips(b)]);
      delete meta.requirements;
      expect(meta).toEqual({
        target: ['https://relay.example:8443', 'https://relay.example:8443'],
        started: ['2025-01-02T03:04:05Z', '2025-01-02T03:04:05Z'],
        ended: ['2025-01-02T03:04:17Z', '2025-01-02T03:04:17Z'],
        'wall time': ['12.3 s', '12.3 s'],
        seed: ['4242', '4242'],
        'declared TTL': ['300 s', '300 s'],
        warp: ['60x', 'none'],
        concurrency: ['6', '6'],
        exit: ['1', '0'],
        partial: ['no', 'yes: stopped by SIGINT'],
      });
      expect(await page.locator('#partial').textContent()).toContain('One run is partial: https://relay.example:8443 (stopped by SIGINT).');
      // Requirements either run judged, in SPEC order; one only the first run has reads "not run" in the second.
      expect(await page.locator('#matrix tbody tr.req td:first-child').allTextContents()).toEqual(a.requirements.map((r) => r.id));
      expect(await page.locator('#matrix tbody tr.req').filter({ hasText: 'READY-2' }).locator('td.cell').allTextContents()).toEqual(['fail', 'not run']);
      const totals = Object.fromEntries(await page.locator('#matrix tfoot tr').evaluateAll((rows) => rows.map((r) => [r.querySelector('th')?.textContent, [...r.querySelectorAll('td:not(.text)')].map((td) => td.textContent)])));
      const countOf = (result: SuiteResult, verdict: string) => String(result.requirements.filter((r) => r.verdict === verdict).length);
      expect(totals['requirements (all)']).toEqual([String(a.requirements.length), String(b.requirements.length)]);
      expect(totals['requirements pass']).toEqual([countOf(a, 'pass'), countOf(b, 'pass')]);
      expect(totals['requirements fail']).toEqual([countOf(a, 'fail'), '0']);
      expect(totals['cases intermittent']).toEqual(['1', '0']);
      expect(totals['cases harness-error']).toBeUndefined();
      expect(await page.locator('#matrix tr.req[data-verdict="mixed"]').count()).toBeGreaterThan(0);
      await page.locator('.filters input[value="mixed"]').uncheck();
      expect(await page.locator('tr.req:visible[data-verdict="mixed"]').count()).toBe(0);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), `width ${width}`).toBeLessThanOrEqual(width);
      expect(await brokenLinks(page)).toEqual([]);
      expect(problems).toEqual([]);
    }
  }, 30_000);

  it('opens a partial run (Ctrl-C) with a banner before anything else, and links each repro script', async () => {
    const partial = { ...failingResult(), partial: { signal: 'SIGINT', note: '12 of 204 cases finished; <b>not</b> every requirement was checked' } } as SuiteResult;
    const { page, problems } = await open(toReportHtml([partial]), 'partial.html');
    expect(await page.evaluate(() => document.querySelector('h1')?.nextElementSibling?.id)).toBe('partial');
    expect(await page.locator('#partial').textContent()).toBe('Partial run: stopped early by SIGINT. 12 of 204 cases finished; <b>not</b> every requirement was checked. The verdicts below cover only what finished; rerun without interrupting it for a full report.');
    const plain = await open(toReportHtml([failingResult()]), 'not-partial.html');
    expect(await plain.page.locator('#partial').count()).toBe(0);
    const repro = page.locator('#case-READY-2_invalid-port_3_5_ a.repro');
    expect(await repro.getAttribute('href')).toBe(`repro/${reproFileName('READY-2/invalid-port[3.5]')}`);
    expect(await page.locator('a.repro').count()).toBe(failingResult().cases.filter((c) => ['fail', 'blocked', 'non-strict', 'unimplemented'].includes(c.verdict)).length);
    expect([...problems, ...plain.problems]).toEqual([]);
  }, 30_000);
});

describe('report.html of a real run against a mutant relay', () => {
  let result: SuiteResult;
  beforeAll(async () => {
    const relay = await startMutant(ALL_MUTANTS.find((m) => m.name === 'addresses-deduplicated')!, 30);
    try {
      result = await runSuite({ target: { url: relay.url, caPem: relay.tlsCertificatePem, insecure: false, auth: { kind: 'mtls' } }, only: ['READY-*', 'GEN-*'], reruns: 0 });
    } finally {
      await relay.close();
    }
  }, 60_000);

  it('names the broken requirement first, with its failing case, exchange and rerun command', async () => {
    const { page, problems } = await open(toReportHtml([result]), 'real.html');
    expect(await page.locator('#failures > article').first().getAttribute('id')).toBe('fail-READY-4');
    const kase = page.locator('#case-READY-4_order-and-duplicates-kept');
    expect(await kase.locator('pre').first().textContent()).toMatch(/^expected: addresses as sent/);
    expect(await kase.locator('code.cmd').textContent()).toBe(`npx relaylab conformance --target ${result.target.url} --only 'READY-4/order-and-duplicates-kept' --seed ${result.seed}`);
    expect(await kase.locator('details pre').textContent()).toContain('> POST /api/relay/broadcast/ready');
    expect(await page.locator('tr.req').count()).toBe(result.requirements.length);
    expect(await brokenLinks(page)).toEqual([]);
    expect(problems).toEqual([]);
  }, 30_000);
});
