import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { renderReport } from '../report/html-report.ts';
import type { Results } from '../report/results.ts';
import { runScenario } from '../run-scenario.ts';
import { parseScenario } from '../scenario/load-scenario.ts';
import { compareExtensions } from '../compare-extensions.ts';

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

const CHROMIUM = { executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] };

/** Renders the run's report to a file, opens it in Chromium and hands the page to `check`; page errors fail the test. */
async function withReport(results: Results, check: (page: Page) => Promise<void>): Promise<void> {
  const file = join(mkdtempSync(join(tmpdir(), 'report-')), 'report.html');
  writeFileSync(file, renderReport(results, null));
  const browser = await chromium.launch(CHROMIUM);
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(pathToFileURL(file).href);
    await check(page);
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
}

/** The model settings table as {setting: value}. */
async function settings(page: Page): Promise<Record<string, string>> {
  const rows = await page.locator('#model-settings tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')));
  return Object.fromEntries(rows.map(([k, v]) => [k, v]));
}

describe('report.html in headless Chromium', () => {
  it('renders the verdict, the assertions, the charts and a NAT x NAT heat map', async () => {
    const results = await runScenario(parseScenario('page.yaml', SCENARIO));
    await withReport(results, async (page) => {
      // Half the peers sit behind NATs without forwards: the second assertion must fail and say so.
      expect(await page.textContent('#verdict')).toBe('assertions failed');
      expect(await page.locator('#assertions tbody tr').count()).toBe(2);
      expect(await page.locator('#assertions td.fail').count()).toBe(1);
      expect(await page.locator('svg.chart').count()).toBeGreaterThanOrEqual(3);
      expect(await page.locator('svg.heatmap rect.cell').count()).toBe(4);
      const cellTitles = await page.locator('svg.heatmap rect.cell title').allTextContents();
      expect(cellTitles.some((t) => t === 'public -> home no forward: 0/' + results.pairs[1]?.tries + ', no successes')).toBe(true);
      const box = await page.locator('svg.heatmap').boundingBox();
      expect(box?.width).toBeGreaterThan(100);
    });
  });

  it('draws how long departed peers stayed listed and the expiry gaps, and says in a line what the relay\'s state shows', async () => {
    const results = await runScenario(parseScenario('page.yaml', `${SCENARIO.replace('duration: 1h', 'duration: 2h')}churn: { crashes_per_hour: 30% }\n`));
    const departed = results.distributions.listed_after_departure_ms;
    expect(departed?.count).toBeGreaterThan(0);
    await withReport(results, async (page) => {
      const figure = (caption: string) => page.locator('figure', { has: page.locator('figcaption', { hasText: caption }) });
      expect(await figure('Listed after departure (CDF)').locator('svg.chart path.line').count()).toBe(1);
      // No live peer went unlisted: an empty chart says so rather than drawing a line at 0.
      expect(await figure('Expiry gap lengths (CDF)').locator('p.empty').textContent()).toBe('no samples');
      expect(await page.textContent('#listing')).toBe(
        `From the relay's own state: ${departed?.count} departed peers stayed listed for a mean ${departed?.mean} ms (p95 ${departed?.p95} ms) after departing; no expiry gap (every live peer stayed listed); 0 lookups fell into one (false expiries).`,
      );
    });
  });

  it('shows every model setting in a table; the reference model says so and carries no hypothesis banner', async () => {
    const results = await runScenario(parseScenario('page.yaml', SCENARIO));
    await withReport(results, async (page) => {
      const shown = await settings(page);
      expect(Object.keys(shown)).toEqual([...Object.keys(results.options).filter((k) => k !== 'topology'), 'topology: public', 'topology: home no forward']);
      expect(shown.relay_traffic_from).toBe('ephemeral (what the reference peer does)');
      expect(shown.heartbeat_interval_ms).toBe('1800000');
      expect(shown['topology: home no forward']).toContain('"type":"EIM/APDF"');
      expect(await page.locator('#hypotheses').count()).toBe(0);
      expect(await page.textContent('#model-kind')).toMatch(/reference peer/);
    });
  });

  it('draws the --compare-extensions difference: a table, bars and per-pair success for each extension', async () => {
    const scenario = parseScenario('page.yaml', `${SCENARIO.replace('duration: 1h', 'duration: 2h\nannounce_public_address: false').replace('label: home no forward', 'label: home forward\n    port_forward: upnp')}churn: { leaves_per_hour: 30% }\n`);
    const results = await runScenario(scenario);
    results.extension_comparison = await compareExtensions(scenario, ['goodbye', 'observed-address'], results, (variant) => runScenario(variant));
    const [goodbye, observed] = results.extension_comparison;
    await withReport(results, async (page) => {
      expect(await page.locator('#extensions section').evaluateAll((all) => all.map((s) => s.id))).toEqual(['extension-goodbye', 'extension-observed-address']);
      const cells = async (id: string, row: number) => page.locator(`#${id} table.extension-summary tr`).nth(row).locator('td').allTextContents();
      // Row 1: listed after a graceful leave, mean (seconds without, milliseconds with the goodbye).
      expect(await cells('extension-goodbye', 1)).toEqual(['listed after a graceful leave, mean', `${((goodbye?.without.listed_after_leave_ms.mean_ms as number) / 1000).toFixed(1)} s`, `${Math.round(goodbye?.with.listed_after_leave_ms.mean_ms as number)} ms`, expect.stringMatching(/^-[\d.]+ s$/)]);
      expect(await page.locator('#extension-goodbye table.extension-summary th').allTextContents()).toEqual(['quantity', 'without (no extensions)', 'with (goodbye)', 'difference']);
      // Three quantities drawn, two bars each; "listed after a crash" has no value on
      // either side in a scenario without crashes, so it is a note, never two zero bars.
      expect(await page.locator('#extension-goodbye svg.bars rect.bar').count()).toBe(6);
      expect(await page.locator('#extension-goodbye p.empty').textContent()).toBe('listed after a crash, mean: none on either side, nothing to draw');
      expect(await page.locator('#extension-goodbye svg.bars rect.bar title').first().textContent()).toMatch(/^without \(no extensions\): [\d.]+ s$/);
      // Observed address opens the forwarded homes: those rows are marked as changed.
      const changed = await page.locator('#extension-observed-address table.extension-pairs tr.changed td').allTextContents();
      expect(changed.slice(0, 3)).toEqual(['public', 'home forward', `0.0% of ${observed?.pairs[1]?.without.tries}, no successes`]);
      expect(await page.locator('#extension-goodbye table.extension-pairs tr.changed').count()).toBe(0);
    });
  });

  it('labels a shared-port-hypothesis run as a hypothesis in its header, before any result', async () => {
    const results = await runScenario(parseScenario('page.yaml', `${SCENARIO}relay_traffic_from: shared-port-hypothesis\n`));
    await withReport(results, async (page) => {
      expect(await page.textContent('h1')).toMatch(/\(hypothesis\)$/);
      // Right under the title, so nobody reads a number before knowing it is not the reference peer.
      expect(await page.locator('h1 + #hypotheses').count()).toBe(1);
      expect(await page.textContent('#hypotheses')).toMatch(/HYPOTHESIS.*shared-port-hypothesis.*The reference peer does not do this/s);
      expect((await settings(page)).relay_traffic_from).toBe('shared-port-hypothesis (HYPOTHESIS: not what the reference peer does)');
    });
  });
});
