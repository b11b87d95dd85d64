/**
 * report.html renders in headless Chromium with no console errors, and
 * its filters work: single-run and merged reports.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_MUTANTS, startMutant } from '../../mutants/catalog.ts';
import { runSuite, type SuiteResult } from '../run-suite.ts';
import { toReportHtml } from './html.ts';

let browser: Browser;
let result: SuiteResult;
let dir: string;

beforeAll(async () => {
  const relay = await startMutant(ALL_MUTANTS.find((m) => m.name === 'addresses-deduplicated')!, 30);
  try {
    result = await runSuite({ target: { url: relay.url, caPem: relay.tlsCertificatePem, insecure: false, auth: { kind: 'mtls' } }, only: ['READY-*', 'GEN-*'], reruns: 0 });
  } finally {
    await relay.close();
  }
  dir = await mkdtemp(join(tmpdir(), 'relaylab-report-'));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}, 60_000);

afterAll(async () => browser?.close());

async function open(html: string, name: string) {
  const path = join(dir, name);
  await writeFile(path, html);
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`file://${path}`);
  return { page, problems };
}

describe('report.html in Chromium', () => {
  it('renders the requirement table and the failing exchange with no console errors', async () => {
    const { page, problems } = await open(toReportHtml([result]), 'single.html');
    expect(await page.locator('tr.req').count()).toBe(result.requirements.length);
    expect(await page.locator('tr.req[data-verdict="fail"] td').first().textContent()).toBe('READY-4');
    await expect.poll(() => page.locator('#case-READY-4_order-and-duplicates-kept pre').first().textContent()).toMatch(/expected: addresses as sent/);
    await page.locator('.filters input[value="pass"]').uncheck();
    await page.locator('.filters input[value="untested"]').uncheck();
    const visible = await page.locator('tr.req:visible').count();
    expect(visible).toBe(result.requirements.filter((r) => r.verdict !== 'pass' && r.verdict !== 'untested').length);
    await page.locator('#search').fill('READY-4');
    expect(await page.locator('tr.req:visible').count()).toBe(1);
    expect(problems).toEqual([]);
  }, 30_000);

  it('renders the merged implementation × requirement matrix', async () => {
    const merged = toReportHtml([{ ...result, label: 'mutant' }, { ...result, label: 'again', requirements: result.requirements.map((r) => ({ ...r, verdict: 'pass' as const })) }]);
    const { page, problems } = await open(merged, 'merged.html');
    expect(await page.locator('thead th').allTextContents()).toEqual(['Id', 'Level', 'Requirement', 'mutant', 'again']);
    expect(await page.locator('tr.req[data-verdict="mixed"]').count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  }, 30_000);
});
