import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { renderReport } from '../report/html-report.ts';
import { runScenario } from '../run-scenario.ts';
import { parseScenario } from '../scenario/load-scenario.ts';

const SCENARIO = `name: page
peers: 16
duration: 1h
topology:
  - kind: public
    share: 50%
  - kind: home-nat
    share: 50%
    label: home no forward
assertions:
  - false_expiries == 0
  - connect_success_ratio > 0.99
`;

describe('report.html in headless Chromium', () => {
  it('renders the verdict, the assertions, the charts and a NAT x NAT heat map', async () => {
    const scenario = parseScenario('page.yaml', SCENARIO);
    const results = await runScenario(scenario);
    const file = join(mkdtempSync(join(tmpdir(), 'report-')), 'report.html');
    writeFileSync(file, renderReport(results, null));
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(pathToFileURL(file).href);
      // Half the peers sit behind NATs without forwards: the second assertion must fail and say so.
      expect(await page.textContent('#verdict')).toBe('assertions failed');
      expect(await page.locator('#assertions tbody tr').count()).toBe(2);
      expect(await page.locator('#assertions td.fail').count()).toBe(1);
      expect(await page.locator('svg.chart').count()).toBeGreaterThanOrEqual(3);
      expect(await page.locator('svg.heatmap rect.cell').count()).toBe(4);
      const cellTitles = await page.locator('svg.heatmap rect.cell title').allTextContents();
      expect(cellTitles.some((t) => t.startsWith('public -> home no forward: 0/'))).toBe(true);
      const box = await page.locator('svg.heatmap').boundingBox();
      expect(box?.width).toBeGreaterThan(100);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
