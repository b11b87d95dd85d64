import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runJobsInProcess } from './run-jobs.ts';
import { runSweep } from './run-sweep.ts';

const SCENARIO = `name: page
peers: 12
duration: 1h
topology:
  - kind: public
    share: 50%
  - kind: home-nat
    share: 50%
    port_forward: upnp
assertions:
  - false_expiries == 0
`;

const CHROMIUM = { executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] };

describe('sweep report.html in headless Chromium', () => {
  it('draws each metric against each swept parameter with confidence bands, and "none" where a point has no value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-page-'));
    const file = join(dir, 'page.yaml');
    writeFileSync(file, SCENARIO);
    await runSweep({ file, sets: ['protocol.heartbeat_interval=10m,20m,30m', 'churn.crashes_per_hour=0%,20%', 'link.loss=0'], seeds: 2, outDir: join(dir, 'out'), write: () => {}, runJobs: runJobsInProcess });
    const browser = await chromium.launch(CHROMIUM);
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(pathToFileURL(join(dir, 'out/report.html')).href);
      expect(await page.textContent('#verdict')).toBe('all assertions hold at every point');
      expect(await page.locator('#points tbody tr').count()).toBe(6);
      // Two swept parameters get a section each; link.loss has one value and is listed as fixed.
      expect(await page.locator('section.parameter').evaluateAll((s) => s.map((e) => e.getAttribute('data-parameter')))).toEqual(['protocol.heartbeat_interval', 'churn.crashes_per_hour']);
      expect(await page.textContent('body')).toContain('Fixed: link.loss=0.');
      const heartbeat = page.locator('section.parameter[data-parameter="protocol.heartbeat_interval"]');
      const chart = (caption: string) => heartbeat.locator('figure').filter({ has: page.locator('figcaption', { hasText: new RegExp(`^${caption.replace(/[()]/g, '\\$&')}$`) }) });
      const relay = chart('relay_requests');
      // One line per crash rate, each with its band and a point per heartbeat interval.
      expect(await relay.locator('path.line').count()).toBe(2);
      expect(await relay.locator('path.band').count()).toBe(2);
      expect(await relay.locator('circle.point').count()).toBe(6);
      expect(await relay.locator('g[aria-label="x-axis tick label"] text').allTextContents()).toEqual(['10m', '20m', '30m']);
      // A y axis with the metric and its unit; every point says its value on hover.
      expect(await relay.locator('g[aria-label="y-axis label"] text').textContent()).toBe('relay_requests (count)');
      expect(await relay.locator('circle.point title').first().textContent()).toMatch(/^churn\.crashes_per_hour=0%, protocol\.heartbeat_interval=10m: [\d.]+ ± [\d.]+$/);
      expect(await relay.locator('.legend').textContent()).toBe('churn.crashes_per_hour=0% churn.crashes_per_hour=20%');
      // Without crashes nobody departed: that line has no points, only "none" markers, never a 0.
      const listed = chart('mean(listed_after_departure_ms)');
      expect(await listed.locator('text.none').count()).toBe(3);
      expect(await listed.locator('text.none title').first().textContent()).toBe('churn.crashes_per_hour=0%, protocol.heartbeat_interval=10m: none (no value in any seed: no samples)');
      // Milliseconds read in a readable unit.
      expect(await listed.locator('g[aria-label="y-axis label"] text').textContent()).toMatch(/^mean\(listed_after_departure\) \((s|min|h)\)$/);
      expect(await listed.locator('circle.point').count()).toBe(3);
      expect(await heartbeat.locator('p.constant').textContent()).toContain('false_expiries = 0');
      // Nothing drawn outside its chart (axis labels fit the margin).
      const outside = await page.locator('svg.sweep').evaluateAll((svgs) => svgs.flatMap((svg) => {
        const box = svg.getBoundingClientRect();
        return Array.from(svg.querySelectorAll('text, circle, path')).map((el) => el.getBoundingClientRect()).filter((r) => r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5).length;
      }));
      expect(outside.every((n) => n === 0)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
