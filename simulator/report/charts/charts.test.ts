import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../run-scenario.ts';
import { parseScenario } from '../../scenario/load-scenario.ts';
import { renderReport } from '../html-report.ts';
import { cdfChart } from './cdf-chart.ts';
import { heatMap } from './heat-map.ts';
import { pairedBars } from './paired-bars.ts';
import { plotSvg } from './plot-svg.ts';
import { timelineChart } from './timeline-chart.ts';
import { timeUnitFor } from './units.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');

const SCENARIO = `name: charts
peers: 16
duration: 2h
seed: 7
topology:
  - kind: public
    share: 50%
  - kind: home-nat
    share: 50%
    label: home no forward
churn: { crashes_per_hour: 30% }
`;

/** The same scenario run and rendered in a fresh process: its report.html on stdout. */
function reportInChild(): string {
  const code = `const { parseScenario } = await import(${JSON.stringify(join(ROOT, 'simulator/scenario/load-scenario.ts'))});
const { runScenario } = await import(${JSON.stringify(join(ROOT, 'simulator/run-scenario.ts'))});
const { renderReport } = await import(${JSON.stringify(join(ROOT, 'simulator/report/html-report.ts'))});
process.stdout.write(renderReport(await runScenario(parseScenario('charts.yaml', ${JSON.stringify(SCENARIO)})), null));`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  return child.stdout;
}

function dom(markup: string): Document {
  return parseHTML(`<!doctype html><html><body>${markup}</body></html>`).document as unknown as Document;
}

/** Every drawn mark element (not axes, grids or rules) and whether it carries a <title>. */
function untitledMarks(markup: string): string[] {
  const skip = /axis|grid|rule|frame|area/;
  return [...dom(markup).querySelectorAll('svg g[aria-label]')]
    .filter((g) => !skip.test(g.getAttribute('aria-label') ?? ''))
    .flatMap((g) => [...g.children].filter((el) => el.querySelector('title') === null).map((el) => `${g.getAttribute('aria-label')}: ${el.outerHTML.slice(0, 80)}`));
}

describe('report charts (Observable Plot, server-side)', () => {
  it('gives the same report bytes for the same seed, twice in one process and in two child processes', async () => {
    const results = await runScenario(parseScenario('charts.yaml', SCENARIO));
    const first = renderReport(results, null);
    expect(renderReport(results, null)).toBe(first);
    expect(first).toContain('<svg');
    const [a, b] = [reportInChild(), reportInChild()];
    expect(a).toBe(b);
    expect(a).toBe(first);
  }, 120_000);

  it('renames Plot\'s process-wide clip ids from the chart key, so a chart reads the same wherever it is drawn', () => {
    const draw = (key: string): string => plotSvg({ key, svgClass: 'chart' }, { marks: [Plot.dot([1, 2, 3], { x: (d: number) => d, y: (d: number) => d, clip: true })] });
    const once = draw('Clip test');
    expect(once).toMatch(/id="rl-clip-test-clip-1"/);
    expect(once).toContain('url(#rl-clip-test-clip-1)');
    expect(once).not.toMatch(/plot-clip-\d/);
    expect(draw('Clip test')).toBe(once);
    expect(draw('Other')).toContain('rl-other-clip-1');
  });

  it('chooses a readable time unit from the data range', () => {
    expect([1_500, 90_000, 7_200_000, 86_400_000].map((ms) => timeUnitFor(ms).name)).toEqual(['ms', 's', 'min', 'h']);
    const cdf = cdfChart('Listed after a crash (CDF)', { count: 3, cdf: [[1_000_000, 0.5], [2_400_000, 1]] });
    const doc = dom(cdf);
    expect(doc.querySelector('g[aria-label="x-axis label"] text')?.textContent).toBe('listed after a crash (min)');
    expect(doc.querySelector('g[aria-label="y-axis label"] text')?.textContent).toBe('share of samples (%)');
    expect([...doc.querySelectorAll('circle.point title')].map((t) => t.textContent)).toEqual(['≤ 16.67 min: 50% of 3 samples', '≤ 40 min: 100% of 3 samples']);
  });

  it('labels the relay-load chart with its bucket size and two real axes, and titles every bar', () => {
    const chart = timelineChart('Relay load', 60_000, [
      { name: 'relay requests', unit: 'requests', values: [5, 0, 7], color: '#2563eb' },
      { name: 'live broadcasts', unit: 'live broadcasts', values: [3, 3, 2], color: '#d97706', sampled: true },
    ]);
    const doc = dom(chart);
    expect([...doc.querySelectorAll('g[aria-label="y-axis label"] text')].map((t) => t.textContent)).toEqual(['requests per 1m bucket', 'live broadcasts at the end of each 1m bucket']);
    expect([...doc.querySelectorAll('g[aria-label="x-axis label"] text')].map((t) => t.textContent)).toEqual(['virtual time since start (min)', 'virtual time since start (min)']);
    expect(doc.querySelectorAll('g[aria-label="y-axis tick label"] text').length).toBeGreaterThan(2);
    expect([...doc.querySelectorAll('svg')[0]?.querySelectorAll('rect.bar title') ?? []].map((t) => t.textContent)).toEqual(['relay requests, 0–1 min: 5 requests', 'relay requests, 1–2 min: 0 requests', 'relay requests, 2–3 min: 7 requests']);
    expect(untitledMarks(chart)).toEqual([]);
  });

  it('labels the NAT heat map with class names on both axes, writes each value and escapes them', () => {
    const labels = ['public', '<b>home</b> & "co"'];
    const chart = heatMap('Success ratio', labels, (i, j) => (i === 1 && j === 1 ? { ratio: null, text: 'no tries' } : { ratio: (i + j) / 2, text: `${i + j}/2` }));
    const doc = dom(chart);
    expect([...doc.querySelectorAll('g[aria-label="y-axis tick label"] text')].map((t) => t.textContent)).toEqual(labels);
    expect([...doc.querySelectorAll('g[aria-label="x-axis tick label"] text')].map((t) => t.textContent?.replace(/\s+/g, ' '))).toEqual(labels);
    expect([...doc.querySelectorAll('g[aria-label="text"] text')].map((t) => t.firstChild?.textContent)).toEqual(['0%', '50%', '50%', 'no tries']);
    expect([...doc.querySelectorAll('rect.cell title')].map((t) => t.textContent)).toContain('<b>home</b> & "co" -> public: 1/2');
    expect(chart).not.toContain('<b>');
    expect(chart).toContain('&lt;b&gt;home&lt;/b&gt; &amp;');
    expect(untitledMarks(chart)).toEqual([]);
  });

  it('draws nothing from nothing: an empty series is a one-line note, a missing bar reads "none"', () => {
    for (const chart of [cdfChart('Expiry gaps (CDF)', undefined), cdfChart('Expiry gaps (CDF)', { count: 0, cdf: [] }), timelineChart('Relay load', 60_000, []), heatMap('Success ratio', [], () => ({ ratio: null, text: '' }))]) {
      expect(chart).not.toContain('<svg');
      expect(dom(chart).querySelectorAll('p.empty').length).toBe(1);
    }
    const bars = pairedBars('goodbye', ['without', 'with'], [
      { label: 'listed after a crash, mean', unit: 's', values: [null, null], text: ['none', 'none'] },
      { label: 'listed after a leave, mean', unit: 's', values: [12, null], text: ['12 s', 'none'] },
    ]);
    const doc = dom(bars);
    expect(doc.querySelectorAll('svg.bars').length).toBe(1);
    expect(doc.querySelector('p.empty')?.textContent).toBe('listed after a crash, mean: none on either side, nothing to draw');
    expect([...doc.querySelectorAll('rect.bar title')].map((t) => t.textContent)).toEqual(['without: 12 s']);
    expect([...doc.querySelectorAll('g[aria-label="text"] text')].map((t) => t.firstChild?.textContent)).toEqual(['12 s', 'none']);
    expect(doc.querySelector('g[aria-label="x-axis label"] text')?.textContent).toBe('listed after a leave, mean (s)');
    expect(untitledMarks(bars)).toEqual([]);
  });

  it('puts a partial-run banner above the title, escaped', async () => {
    const results = await runScenario(parseScenario('charts.yaml', SCENARIO.replace('duration: 2h', 'duration: 10m')));
    const html = renderReport(results, null, { partial: { signal: 'SIGINT', note: 'stopped at <4 min>' } });
    expect(html).toContain('<body><div id="partial" class="partial" role="alert"><strong>PARTIAL RUN</strong> (stopped by SIGINT): stopped at &lt;4 min&gt;</div>\n<h1>');
    expect(renderReport(results, null)).not.toContain('id="partial"');
  });
});
