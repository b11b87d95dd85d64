/**
 * Regenerates simulator/docs/report.png, the picture in the README:
 *   npx relaylab simulate scenarios/two-homes.yaml --seed 1 --out reports/two-homes   (the README's command)
 *   npx tsx simulator/docs/make-screenshot.ts reports/two-homes/report.html
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const page = process.argv[2];
if (page === undefined) throw new Error('usage: make-screenshot.ts REPORT.html');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
try {
  const tab = await browser.newPage({ viewport: { width: 1150, height: 1500 } });
  await tab.goto(pathToFileURL(resolve(page)).href);
  await tab.screenshot({ path: new URL('./report.png', import.meta.url).pathname, fullPage: false });
} finally {
  await browser.close();
}
