/**
 * RemoteHouse in real headless Chromium against hostile content: what a
 * peer shares (A's real Peer Server, with hostile files written into its
 * folder) and what a peer answers (a hand-made hostile Peer Server that
 * registers at the relay for real and announces a loopback address).
 *
 * Each test here is one finding of the page's security review, and failed
 * on the page before its fix.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPeerIdentity } from '../../reference/identity/identity-files.ts';
import { RelayClient } from '../../reference/peer/http/relay-client.ts';
import { startRemoteHouse, type RunningRemoteHouse } from '../../reference/peer/ui/bridge-server.ts';
import { A_EMAIL, startFixture, type Fixture } from './fixture.ts';

const CHROMIUM = { executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] };
const EVIL_EMAIL = 'evil@remotehouse.test';
const EVIL_HOST = '127.0.0.6';
const BEACON_HOST = '127.0.0.9';
const MiB = 1024 * 1024;

const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><rect width="20" height="20" fill="red"/><script>console.log('svg script ran at ' + location.origin)</script></svg>`;
const BIDI_NAME = '\u202Egnp.exe';
const LONG_ERROR = 'Your session expired.\nPlease re-enter your RemoteHouse token at http://127.0.0.9/login \u202E to continue\n'.repeat(20);

let fx: Fixture;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let evil: Server;
let evilOrigin: string;
let evilClient: RelayClient;
let beacon: Server;
let beaconOrigin: string;
const beaconHits: string[] = [];
const pageErrors: string[] = [];
const held = new Set<ServerResponse>();

function json(res: ServerResponse, body: unknown, status = 200, cors = true): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...(cors ? { 'access-control-allow-origin': '*' } : {}) });
  res.end(text);
}

/** A Peer Server that lies: sizes, lengths, redirects, CORS, errors, silence. */
function hostile(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0];
  const cors = { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'content-length' };
  switch (path) {
    case '/api/health':
      return json(res, { status: 'ok', email: EVIL_EMAIL });
    case '/api/files':
      return json(res, {
        path: '',
        entries: [
          { name: 'huge-size.txt', type: 'file', size: 1e300, mtime: '' },
          { name: 'liar.txt', type: 'file', size: 10, mtime: '' },
          { name: 'liar.bin', type: 'file', size: 10, mtime: '' },
          { name: 'big.bin', type: 'file', size: 300 * MiB, mtime: '' },
          { name: BIDI_NAME, type: 'file', size: 5, mtime: '' },
          ...['hang', 'redirect', 'nocors', 'broken', 'long-error'].map((name) => ({ name, type: 'directory', size: 0, mtime: '' })),
        ],
      });
    case '/content/liar.txt': {
      // "10 bytes", then 40 MiB with no Content-Length.
      res.writeHead(200, { 'content-type': 'text/plain', ...cors });
      const chunk = Buffer.alloc(MiB, 'A');
      let sent = 0;
      const pump = () => {
        while (sent < 40) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => (sent = 40));
      return pump();
    }
    case '/download/liar.bin':
      // Says 300 MiB and then sends nothing: a page that buffers would wait forever.
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 300 * MiB, ...cors });
      res.write(Buffer.alloc(1024));
      held.add(res);
      return;
    case '/api/files/hang':
      held.add(res);
      return;
    case '/api/files/redirect':
      res.writeHead(302, { location: `${beaconOrigin}/redirected`, ...cors });
      return void res.end();
    case '/api/files/nocors':
      return json(res, { path: 'nocors', entries: [] }, 200, false);
    case '/api/files/broken':
      res.writeHead(500, { 'content-type': 'text/html', ...cors });
      return void res.end('<h1>oops</h1>'.repeat(1000));
    case '/api/files/long-error':
      return json(res, { error: LONG_ERROR, code: 'token_required' }, 403);
    default:
      return json(res, { error: `no ${path}`, code: 'not_found' }, 404);
  }
}

beforeAll(async () => {
  fx = await startFixture();
  const hostileDir = join(fx.aRoot, 'hostile');
  await mkdir(hostileDir);
  await writeFile(join(fx.aRoot, 'pictures', 'evil.svg'), SVG);
  await writeFile(join(hostileDir, 'svg.md'), '# SVG\n\n![evil](../pictures/evil.svg)\n');
  await writeFile(join(hostileDir, 'deep.md'), '<div>'.repeat(50_000));
  await writeFile(join(hostileDir, 'quotes.md'), '>'.repeat(50_000) + ' deep');
  await writeFile(join(hostileDir, 'links.md'), '# Links\n\n[hello](../hello.txt) [top](#top) [folder](../docs/)\n');

  beacon = createServer((req, res) => {
    beaconHits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'image/gif' });
    res.end();
  });
  await new Promise<void>((resolve) => beacon.listen({ host: BEACON_HOST, port: 0 }, resolve));
  beaconOrigin = `http://${BEACON_HOST}:${(beacon.address() as { port: number }).port}`;
  await writeFile(join(hostileDir, 'remote.md'), `# Remote\n\n![tracker](${beaconOrigin}/beacon.png)\n\n![own](../pictures/orange.png)\n`);

  evil = createServer(hostile);
  await new Promise<void>((resolve) => evil.listen({ host: EVIL_HOST, port: 0 }, resolve));
  const evilPort = (evil.address() as { port: number }).port;
  evilOrigin = `http://${EVIL_HOST}:${evilPort}`;
  const id = newPeerIdentity(EVIL_EMAIL, Date.now(), 'ecdsa-p256');
  evilClient = new RelayClient({ relayUrl: fx.relay.url, relayCaPem: fx.relay.tlsCertificatePem, identity: { email: EVIL_EMAIL, certificatePem: id.certificatePem, privateKeyPem: id.privateKeyPem } });
  expect((await evilClient.register()).status).toBeLessThan(300);
  expect((await evilClient.ready({ port: evilPort, addresses: [EVIL_HOST] })).status).toBeLessThan(300);

  browser = await chromium.launch(CHROMIUM);
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  // Every blob: URL the page makes, by type (the page's own scripts only run from its origin; this is the test's).
  await context.addInitScript(() => {
    const w = window as unknown as { __blobTypes: string[] };
    w.__blobTypes = [];
    const original = URL.createObjectURL.bind(URL);
    URL.createObjectURL = (object: Blob | MediaSource) => {
      w.__blobTypes.push(object instanceof Blob ? object.type : 'media-source');
      return original(object);
    };
  });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(fx.ui.url);
}, 90_000);

afterAll(async () => {
  for (const res of held) res.destroy();
  await browser?.close();
  await evilClient?.close();
  evil?.closeAllConnections();
  await new Promise<void>((resolve) => (evil ? evil.close(() => resolve()) : resolve()));
  beacon?.closeAllConnections();
  await new Promise<void>((resolve) => (beacon ? beacon.close(() => resolve()) : resolve()));
  await fx?.close();
});

async function visitFromPeers(p: Page, email: string): Promise<void> {
  const row = p.locator(`#peers li[data-email="${email}"]`);
  await row.waitFor({ timeout: 10_000 });
  await row.getByRole('button', { name: 'Visit', exact: true }).click();
  await p.locator('#winner').waitFor({ timeout: 10_000 });
}

const entry = (name: string) => page.locator(`#files li[data-name="${name}"] button`).first();

async function openFolder(path: string[]): Promise<void> {
  await page.locator('#breadcrumbs button').first().click();
  for (const name of path) await entry(name).click();
}

describe('RemoteHouse against what A shares', () => {
  it('visits A: the winner line says which origin answered as whom, not that it is them', async () => {
    await visitFromPeers(page, A_EMAIL);
    const winner = (await page.locator('#winner').textContent()) ?? '';
    expect(winner).toContain(`http://127.0.0.1:${fx.a.port}`);
    expect(winner).toMatch(new RegExp(`127\\.0\\.0\\.1:${fx.a.port}\\s*answered as\\s*${A_EMAIL.replace('.', '\\.')}`));
    expect(winner).not.toMatch(/Connected to/);
  });

  it('shows a previewed SVG from a data: URL, never a blob: URL on this origin', async () => {
    await openFolder(['pictures']);
    await entry('evil.svg').click();
    const img = page.locator('#preview [data-kind="image"] img');
    await img.waitFor();
    expect(await img.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(20);
  });

  it('shows an SVG referenced from Markdown from a data: URL too', async () => {
    await openFolder(['hostile']);
    await entry('svg.md').click();
    const img = page.locator('#preview .markdown img[alt="evil"]');
    await expect.poll(() => img.getAttribute('src'), { timeout: 10_000 }).toMatch(/^data:image\/svg\+xml;base64,/);
  });

  it('made blob: URLs of picture types only (never SVG, HTML or text)', async () => {
    await openFolder(['pictures']);
    await entry('orange.png').click();
    await expect.poll(() => page.locator('#preview [data-kind="image"] img').evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(16);
    const types = await page.evaluate(() => (window as unknown as { __blobTypes: string[] }).__blobTypes);
    expect(types).toContain('image/png');
    for (const type of types) expect(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp', 'image/x-icon', 'image/avif', 'application/octet-stream']).toContain(type);
  });

  it('loads no picture from another host until asked, then shows it', async () => {
    await openFolder(['hostile']);
    await entry('remote.md').click();
    const markdown = page.locator('#preview .markdown');
    await markdown.locator('h1', { hasText: 'Remote' }).waitFor();
    // The peer's own picture loads; the other host's waits behind a placeholder naming it.
    await expect.poll(() => markdown.locator('img[alt="own"]').evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(16);
    await page.waitForTimeout(500);
    expect(beaconHits).toEqual([]);
    expect(await markdown.locator('.remote-image').textContent()).toContain(`${beaconOrigin}/beacon.png`);
    await page.getByRole('button', { name: 'Show remote images' }).click();
    await expect.poll(() => beaconHits.includes('/beacon.png'), { timeout: 5_000 }).toBe(true);
  });

  it('gives in-page Markdown links the real peer URL as href, and still opens them here', async () => {
    await openFolder(['hostile']);
    await entry('links.md').click();
    const markdown = page.locator('#preview .markdown');
    await markdown.locator('h1', { hasText: 'Links' }).waitFor();
    const a = `http://127.0.0.1:${fx.a.port}`;
    expect(await markdown.locator('a', { hasText: 'hello' }).getAttribute('href')).toBe(`${a}/content/hello.txt`);
    expect(await markdown.locator('a', { hasText: 'top' }).getAttribute('href')).toBe(`${a}/content/hostile/links.md#top`);
    expect(await markdown.locator('a', { hasText: 'folder' }).getAttribute('href')).toBe(`${a}/api/files/docs`);
    await markdown.locator('a', { hasText: 'hello' }).click();
    await page.locator('#preview [data-kind="text"] pre').filter({ hasText: 'hello from alice' }).waitFor();
    expect(page.url()).toBe(fx.ui.url);
  });

  it('shows Markdown with raw HTML nested 50,000 deep as plain text with a note, and stays responsive', async () => {
    await openFolder(['hostile']);
    await entry('deep.md').click();
    await page.locator('#markdown-note').filter({ hasText: /plain text/ }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#preview pre.markdown-source').evaluate((pre) => pre.textContent?.startsWith('<div><div>'))).toBe(true);
    const started = Date.now();
    expect(await page.evaluate(() => 1 + 1)).toBe(2);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('shows Markdown that overflows the parser (50,000 nested quotes) as plain text, not a part that failed to draw', async () => {
    await openFolder(['hostile']);
    await entry('quotes.md').click();
    await page.locator('#markdown-note').filter({ hasText: /plain text/ }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#preview').textContent()).not.toMatch(/failed to draw/);
  });

  it('words a buffered download as handed to the browser, then done', async () => {
    await page.locator('#breadcrumbs button').first().click();
    await entry('archive.bin').click();
    const downloading = page.waitForEvent('download', { timeout: 20_000 });
    await page.click('#download');
    await downloading;
    const status = page.locator('#download-status');
    await status.filter({ hasText: /done$/ }).waitFor();
    expect(await status.textContent()).toMatch(/handed .*to your browser’s downloads/i);
    expect(await status.textContent()).not.toMatch(/Saved/);
  });
});

describe('RemoteHouse against a hostile Peer Server', () => {
  it('visits the hostile peer; a name with U+202E shows the character, isolated, and data-name keeps it raw', async () => {
    await visitFromPeers(page, EVIL_EMAIL);
    const row = page.locator(`#files li[data-name="${BIDI_NAME}"]`);
    await row.waitFor();
    const shown = await row.locator('.entry-name').innerText();
    expect(shown).toContain('⟨U+202E⟩gnp.exe');
    expect(shown).not.toContain('\u202E');
    expect(await row.locator('.peer-text').first().evaluate((el) => getComputedStyle(el).unicodeBidi)).toBe('isolate');
    await row.locator('button').click();
    expect(await page.locator('#preview-name').innerText()).toContain('⟨U+202E⟩');
  });

  it('shows an absurd size as unknown', async () => {
    expect(await page.locator('#files li[data-name="huge-size.txt"] .entry-size').textContent()).toBe('unknown size');
  });

  it('reads a text preview no further than its cap, whatever the listing said', async () => {
    await entry('liar.txt').click();
    await page.locator('#preview [data-kind="text"]').filter({ hasText: /too large to preview/ }).waitFor({ timeout: 15_000 });
    expect(await page.locator('#preview [data-kind="text"] pre').count()).toBe(0);
  });

  it('offers a plain link for a file listed above the buffer limit', async () => {
    await entry('big.bin').click();
    const link = page.locator('a#download');
    await link.waitFor({ timeout: 10_000 });
    expect(await link.getAttribute('href')).toBe(`${evilOrigin}/download/big.bin`);
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
  });

  it('switches to the plain link when the Content-Length is above the buffer limit', async () => {
    await entry('liar.bin').click();
    await page.click('button#download');
    const link = page.locator('a#download');
    await link.waitFor({ timeout: 10_000 });
    expect(await link.getAttribute('href')).toBe(`${evilOrigin}/download/liar.bin`);
    expect(await page.locator('#download-status').textContent()).not.toMatch(/done/);
  });

  it('names a redirect, a CORS failure and an HTTP 500 web page for what they are', async () => {
    await openFolder(['redirect']);
    await page.locator('#files-error').filter({ hasText: /redirect/ }).waitFor({ timeout: 10_000 });
    await openFolder(['nocors']);
    await page.locator('#files-error').filter({ hasText: /CORS/ }).waitFor({ timeout: 10_000 });
    await openFolder(['broken']);
    await page.locator('#files-error').filter({ hasText: /HTTP 500 with a web page/ }).waitFor({ timeout: 10_000 });
    expect(beaconHits).not.toContain('/redirected');
  });

  it("quotes a peer's own error text, attributed, on one short line, its hidden characters shown", async () => {
    await openFolder(['long-error']);
    const line = page.locator('#error');
    await line.filter({ hasText: `${EVIL_EMAIL} answered: “` }).waitFor({ timeout: 10_000 });
    const text = (await line.innerText()).trim();
    expect(text.startsWith(`${EVIL_EMAIL} answered: “Your session expired.`)).toBe(true);
    expect(text).not.toContain('\n');
    expect(text.length).toBeLessThan(260);
    expect(text).toContain('⟨U+202E⟩');
  });

  it('gives up on a listing that never comes after 20 s, with Refresh and Visit again', async () => {
    await openFolder(['hang']);
    const error = page.locator('#files-error');
    await error.filter({ hasText: /within 20 s/ }).waitFor({ timeout: 30_000 });
    expect(await error.getByRole('button', { name: 'Refresh' }).count()).toBe(1);
    expect(await error.getByRole('button', { name: 'Visit again' }).count()).toBe(1);
    // None of the above threw in the page.
    expect(pageErrors, JSON.stringify(pageErrors)).toEqual([]);
  }, 45_000);
});

describe('RemoteHouse: keyboard at 400 px and a restarted peer', () => {
  it('opening a file by keyboard moves the focus to the preview heading, in view', async () => {
    const narrow = await browser.newPage({ viewport: { width: 400, height: 700 } });
    try {
      await narrow.goto(fx.ui.url);
      await visitFromPeers(narrow, A_EMAIL);
      const file = narrow.locator('#files li[data-name="hello.txt"] button').first();
      await file.focus();
      await narrow.keyboard.press('Enter');
      await narrow.locator('#preview-name').filter({ hasText: 'hello.txt' }).waitFor();
      await expect.poll(() => narrow.evaluate(() => document.activeElement?.id)).toBe('preview-name');
      const box = await narrow.locator('#preview-name').evaluate((el) => {
        const r = el.getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, height: innerHeight };
      });
      expect(box.top).toBeGreaterThanOrEqual(0);
      expect(box.bottom).toBeLessThanOrEqual(box.height);
    } finally {
      await narrow.close();
    }
  });

  it('after a restart (new token, same address) the old tab drops me, friends and the visit and says to open the new link', async () => {
    let first: RunningRemoteHouse | null = await startRemoteHouse({ peer: fx.b, attemptTimeoutMs: 1_000 });
    let second: RunningRemoteHouse | null = null;
    const old = await browser.newPage();
    try {
      await old.goto(first.url);
      await old.locator('#me [data-field="email"]').filter({ hasText: 'bob@' }).waitFor({ timeout: 10_000 });
      await visitFromPeers(old, A_EMAIL);
      const port = first.port;
      await first.close();
      first = null;
      second = await startRemoteHouse({ peer: fx.b, attemptTimeoutMs: 1_000, port });
      await old.locator('#error').filter({ hasText: /earlier run of relaylab peer --ui: open the new link it printed/ }).waitFor({ timeout: 20_000 });
      expect(await old.locator('#me').count()).toBe(0);
      expect(await old.locator('#friends').count()).toBe(0);
      expect(await old.locator('#visit').count()).toBe(0);
      expect(await old.locator('#files').count()).toBe(0);
    } finally {
      await old.close();
      await first?.close();
      await second?.close();
    }
  }, 45_000);
});
