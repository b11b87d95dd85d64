/**
 * RemoteHouse's page: the HTML shell and the front end (web/), bundled
 * from the project's own dependencies by esbuild at start-up, in memory.
 * Nothing is fetched from a CDN or any network, then or later.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export interface UiAssets {
  html: string;
  js: string;
  css: string;
}

const ENTRY = fileURLToPath(new URL('./web/main.tsx', import.meta.url));

/** The shell loads only same-origin files: the CSP allows no inline script or style. */
export const SHELL_HTML =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>RemoteHouse</title><link rel="stylesheet" href="/app.css"></head><body><div id="app"></div><script type="module" src="/app.js"></script></body></html>';

let built: Promise<UiAssets> | null = null;

/** Built once per process (about a tenth of a second); a build error names the file and line. */
export function uiAssets(): Promise<UiAssets> {
  built ??= build().catch((error: unknown) => {
    built = null;
    throw error;
  });
  return built;
}

/** Where the package build (build/build-package.ts) leaves the bundle, beside the compiled assets.js. */
const PREBUILT = new URL('./remotehouse/', import.meta.url);

async function build(): Promise<UiAssets> {
  if (existsSync(new URL('app.js', PREBUILT))) {
    const read = (name: string) => readFile(new URL(name, PREBUILT), 'utf8');
    return { html: SHELL_HTML, js: await read('app.js'), css: await read('app.css') };
  }
  return bundleFromSource();
}

/** Bundles web/ with esbuild (the package build writes this to remotehouse/). */
export async function bundleFromSource(): Promise<UiAssets> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new Error('RemoteHouse needs esbuild to bundle its page: run `npm install` in the relaylab checkout');
  }
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'esm',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    write: false,
    outdir: 'out',
    target: 'chrome110',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const text = (ext: string) => result.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? '';
  return { html: SHELL_HTML, js: text('.js'), css: text('.css') };
}

/** A strong ETag for an asset's bytes. */
export function etagOf(text: string): string {
  return `"${createHash('sha256').update(text).digest('base64url').slice(0, 22)}"`;
}
