import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireWritableDir } from './writable-dir.ts';

const root = await mkdtemp(join(tmpdir(), 'relaylab-writable-'));
afterAll(() => rm(root, { recursive: true, force: true }));

describe('requireWritableDir', () => {
  it('lets many runs share one new --out folder at once (it used to answer EEXIST to all but the first)', async () => {
    const out = join(root, 'shared', 'deep', 'out');
    await Promise.all(Array.from({ length: 12 }, () => requireWritableDir(out, '--out')));
    expect((await stat(out)).isDirectory()).toBe(true);
  });

  it('still refuses a file where the folder should be', async () => {
    const file = join(root, 'a-file');
    await writeFile(file, '');
    await expect(requireWritableDir(join(file, 'out'), '--out')).rejects.toThrow(/cannot create --out/);
    await expect(requireWritableDir(file, '--out')).rejects.toThrow(/is a file, not a folder/);
  });
});
