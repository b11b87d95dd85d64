/**
 * relaylab's own package.json, found by walking up from this module: the
 * same code runs from the checkout (cli/) and from an installed package
 * (dist/cli/), one folder deeper.
 */
import { existsSync, readFileSync } from 'node:fs';

export function packageVersion(): string {
  for (let up = '../'; up.length <= 3 * 4; up += '../') {
    const candidate = new URL(`${up}package.json`, import.meta.url);
    if (!existsSync(candidate)) continue;
    const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'relaylab' && typeof pkg.version === 'string') return pkg.version;
  }
  return 'unknown';
}
