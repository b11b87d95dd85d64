/**
 * `relaylab report --merge` on the reports of real runs: the reference
 * relay (labelled) and a mutant (unlabelled: named by its URL), written by
 * writeReports as `relaylab conformance --reports` does, plus a run whose
 * results.json was copied away from its report.html. The real CLI merges
 * them; Chromium opens the matrix and follows every cell's link into the
 * run's own report.html, whose element must exist. Bad input exits 2 with
 * one line. The same real runs check that junit.xml's times add up.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOMParser } from 'linkedom';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay } from '../../../reference/relay/http/start-relay.ts';
import { runCli } from '../../../test/support/spawn-cli.ts';
import { ALL_MUTANTS, startMutant } from '../../mutants/catalog.ts';
import { runSuite } from '../run-suite.ts';
import type { SuiteResult } from '../types.ts';
import { writeReports } from './write-reports.ts';

const ONLY = ['GEN-*', 'READY-2*', 'READY-4*', 'ERR-5*'];
const SCREENSHOTS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../.scratch/h5');

let dir: string;
let browser: Browser;
const runs: Record<'reference' | 'mutant', SuiteResult> = {} as never;

async function runAgainst(start: () => Promise<Awaited<ReturnType<typeof startRelay>>>, seed: number): Promise<SuiteResult> {
  const relay = await start();
  try {
    return await runSuite({ target: { url: relay.url, caPem: relay.tlsCertificatePem, insecure: false, auth: { kind: 'mtls' } }, only: ONLY, seed, maxWaitSeconds: 0 });
  } finally {
    await relay.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relaylab-merge-real-'));
  const [reference, mutant] = await Promise.all([
    runAgainst(() => startRelay({ port: 0, ttlSeconds: 30 }), 11),
    runAgainst(() => startMutant(ALL_MUTANTS.find((m) => m.name === 'crash-on-fractional-port')!, 30), 12),
  ]);
  runs.reference = { ...reference, label: 'reference' };
  runs.mutant = mutant;
  await writeReports(join(dir, 'reference'), runs.reference);
  await writeReports(join(dir, 'mutant'), runs.mutant);
  // A results.json without its report.html (say, the only CI artifact kept).
  await mkdir(join(dir, 'copied'), { recursive: true });
  await writeReports(join(dir, 'tmp'), { ...runs.reference, label: 'copied' });
  await copyFile(join(dir, 'tmp', 'results.json'), join(dir, 'copied', 'results.json'));
  await rm(join(dir, 'tmp'), { recursive: true });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('relaylab report --merge on real runs', () => {
  it('links every cell to an element of that run\'s report.html, names columns by --label or URL, and writes a report for a lone results.json', async () => {
    const out = join(dir, 'merged');
    const cli = await runCli(['report', '--merge', join(dir, 'reference', 'results.json'), join(dir, 'mutant', 'results.json'), join(dir, 'copied', 'results.json'), '--out', out]);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const generated = join(out, 'runs', '3-copied', 'report.html');
    expect(cli.stdout).toBe(`wrote ${join(out, 'report.html')}\n  wrote ${generated} (no report.html with every anchor next to its results.json)\n`);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    await page.goto(`file://${join(out, 'report.html')}`);
    expect(await page.locator('#matrix thead tr').first().locator('th').allTextContents()).toEqual(['Id', 'Level', 'Requirement', 'reference', runs.mutant.target.url, 'copied']);
    const seeds = await page.locator('#matrix thead tr.meta').filter({ hasText: 'seed' }).locator('td:not(.text)').allTextContents();
    expect(seeds).toEqual(['11', '12', '11']);
    const started = await page.locator('#matrix thead tr.meta').filter({ hasText: 'started' }).locator('td:not(.text)').allTextContents();
    expect(started[1]).toBe(runs.mutant.startedAt.replace(/\.\d{3}Z$/, 'Z'));
    expect(await page.locator('#matrix thead tr.meta').filter({ hasText: 'declared TTL' }).locator('td:not(.text)').allTextContents()).toEqual(['30 s', '30 s', '30 s']);
    // Column 2 fails READY-2 (a 500 on 3.5): its cell links to the failure entry of the mutant's own report.
    const ready2 = page.locator('#matrix tbody tr.req').filter({ has: page.locator('td:first-child', { hasText: /^READY-2$/ }) });
    expect(await ready2.locator('td.cell').allTextContents()).toEqual(['pass', 'fail', 'pass']);
    expect(await ready2.locator('td.cell a').nth(1).getAttribute('href')).toBe('../mutant/report.html#fail-READY-2');
    const totals = await page.locator('#matrix tfoot tr').filter({ hasText: 'requirements fail' }).locator('td:not(.text)').allTextContents();
    expect(totals).toEqual([runs.reference, runs.mutant, runs.reference].map((r) => String(r.requirements.filter((x) => x.verdict === 'fail').length)));

    // Every cell is a link, and every link lands on an element of the run's report.html.
    const hrefs = await page.locator('#matrix tbody td.cell a').evaluateAll((a) => a.map((x) => (x as HTMLAnchorElement).href));
    const cells = await page.locator('#matrix tbody td.cell').count();
    expect(hrefs.length).toBe(cells);
    const target = await browser.newPage();
    const missing: string[] = [];
    for (const file of new Set(hrefs.map((h) => new URL(h).pathname))) {
      await target.goto(`file://${file}`);
      const ids = new Set(await target.evaluate(() => [...document.querySelectorAll('[id]')].map((e) => e.id)));
      missing.push(...hrefs.filter((h) => new URL(h).pathname === file && !ids.has(decodeURIComponent(new URL(h).hash.slice(1)))));
    }
    expect(missing).toEqual([]);
    expect(new Set(hrefs.map((h) => new URL(h).pathname))).toEqual(new Set([join(dir, 'reference', 'report.html'), join(dir, 'mutant', 'report.html'), generated]));
    await ready2.locator('td.cell a').nth(1).click();
    await page.waitForURL(/mutant\/report\.html#fail-READY-2$/);
    expect(await page.locator('#fail-READY-2 h4').textContent()).toContain('READY-2');
    await page.goto(`file://${join(out, 'report.html')}`);
    await mkdir(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'merged-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 400, height: 900 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400);
    await page.screenshot({ path: join(SCREENSHOTS, 'merged-400.png'), fullPage: false });
    expect(problems).toEqual([]);
    await Promise.all([page.close(), target.close()]);
  }, 60_000);

  it('refuses bad input in one line, exit 2: a missing file, not JSON, another schema version, two runs with one name', async () => {
    const reference = join(dir, 'reference', 'results.json');
    const notJson = join(dir, 'reference', 'report.html');
    const junit = join(dir, 'reference', 'junit.xml');
    const schema1 = join(dir, 'schema1.json');
    await writeFile(schema1, JSON.stringify({ ...JSON.parse(await readFile(reference, 'utf8')), schemaVersion: 1 }));
    const cases: Array<[string[], string]> = [
      [[reference, join(dir, 'nope', 'results.json')], `relaylab: cannot read results ${join(dir, 'nope', 'results.json')}: no such file`],
      [[reference, notJson], `relaylab: ${notJson} is not a results.json written by relaylab conformance: not JSON`],
      [[junit], `relaylab: ${junit} is not a results.json written by relaylab conformance: not JSON`],
      [[schema1], `relaylab: ${schema1} is a schemaVersion 1 results.json from an older relaylab; this one reads schemaVersion 2: rerun relaylab conformance --reports DIR with the same version to merge them`],
      [[reference, join(dir, 'copied', 'results.json'), reference], `relaylab: ${reference} and ${reference} are both named "reference" (--label): give each run its own --label when running relaylab conformance`],
    ];
    const answers = await Promise.all(cases.map(([files]) => runCli(['report', '--merge', ...files, '--out', join(dir, 'refused')])));
    for (const [i, answer] of answers.entries()) {
      expect(answer.stderr, cases[i]?.[1]).toBe(`${cases[i]?.[1]}\n`);
      expect(answer.code).toBe(2);
    }
  }, 60_000);
});

describe('junit.xml of a real run', () => {
  it('adds up: testcases sum to their testsuite, testsuites to the run\'s wall time, each share no longer than the case', async () => {
    for (const name of ['reference', 'mutant'] as const) {
      const doc = new DOMParser().parseFromString(await readFile(join(dir, name, 'junit.xml'), 'utf8'), 'text/xml');
      const ms = (e: Element) => Math.round(Number(e.getAttribute('time')) * 1000);
      const root = doc.querySelector('testsuites') as Element;
      const suites = [...doc.querySelectorAll('testsuite')];
      expect(ms(root)).toBe(runs[name].durationMs);
      expect(suites.reduce((sum, s) => sum + ms(s), 0)).toBe(runs[name].durationMs);
      for (const suite of suites) expect([...suite.querySelectorAll('testcase')].reduce((sum, c) => sum + ms(c), 0), suite.getAttribute('name') ?? '').toBe(ms(suite));
      const testcases = [...doc.querySelectorAll('testcase')];
      const setup = testcases.find((c) => c.getAttribute('name') === 'setup-and-teardown') as Element;
      // The pre-flight probes at least took time no case was in flight for.
      expect(ms(setup)).toBeGreaterThan(0);
      for (const c of testcases) {
        const own = c.querySelector('property[name="case.duration"]')?.getAttribute('value');
        if (own !== undefined && own !== null) expect(ms(c), c.getAttribute('name') ?? '').toBeLessThanOrEqual(Math.round(Number(own) * 1000));
      }
      const shared = testcases.filter((c) => c.getAttribute('name') !== 'setup-and-teardown').reduce((sum, c) => sum + ms(c), 0);
      expect(shared + ms(setup)).toBe(runs[name].durationMs);
    }
  });
});
