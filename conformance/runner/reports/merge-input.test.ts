/**
 * report --merge reads files it did not write: each is checked against
 * schemas/conformance-results.schema.json first. A hand-edited seed carrying
 * markup used to run as script in the merged report; a missing durationMs
 * crashed it with a RangeError (exit 70).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/usage-error.ts';
import { readResults } from './merge.ts';

const EXAMPLE = new URL('../../../reports/examples/conformance-reference-relay/results.json', import.meta.url);
const real = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>;
const dir = mkdtempSync(join(tmpdir(), 'relaylab-merge-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fileWith(name: string, value: unknown): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

describe('report --merge inputs', () => {
  it('reads a results.json relaylab wrote', async () => {
    expect((await readResults(fileWith('real', real))).seed).toBe(real.seed);
  });
  it.each([
    ['markup for a number', { ...real, seed: '<script>alert(1)</script>' }, /\/seed must be integer/],
    ['markup in options', { ...real, options: { ...(real.options as object), concurrency: '<img src=x onerror=alert(1)>' } }, /\/options\/concurrency must be integer/],
    ['a missing field', Object.fromEntries(Object.entries(real).filter(([k]) => k !== 'durationMs')), /required property 'durationMs'/],
  ])('refuses %s in one line (UsageError, exit 2)', async (name, value, message) => {
    const error = await readResults(fileWith(name.replace(/\s/g, '-'), value)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toMatch(/\n/);
  });
});
