/**
 * The committed lock installs on every platform (issue 13): `npm ci` on a
 * fresh clone failed with "Missing: @rollup/rollup-android-arm-eabi from
 * lock file" when the lock held only this machine's optional binaries.
 * Every optional platform package a locked package declares must be in the
 * lock itself, so npm ci never has to add one.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface LockEntry {
  version?: string;
  optionalDependencies?: Record<string, string>;
  dev?: boolean;
}

const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as { lockfileVersion: number; packages: Record<string, LockEntry> };

describe('package-lock.json', () => {
  it('holds every optional dependency of every locked package, whatever platform it is for', () => {
    const missing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      for (const name of Object.keys(entry.optionalDependencies ?? {})) {
        // npm places a dependency beside its dependant or higher up; any of those places will do.
        const parts = path.split('node_modules/').slice(0, -1);
        const candidates = parts.map((_, i) => `${parts.slice(0, i + 1).join('node_modules/')}node_modules/${name}`);
        if (!candidates.some((c) => c in lock.packages)) missing.push(`${name} (for ${path})`);
      }
    }
    expect(missing).toEqual([]);
    expect(Object.keys(lock.packages).filter((p) => p.includes('@rollup/rollup-')).length).toBeGreaterThan(10);
  });
});
