/**
 * bench:sim --by-module reads each sampled function's module from the
 * bundle's esbuild module comments: a line belongs to the last one above it.
 * The bundle here is a real esbuild build of two of our modules (the
 * entry, from stdin, gets no comment: the real bench's entry is a file and does).
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { bundleModules } from '../../bench/bundle-modules.ts';

describe('bundleModules', () => {
  it('places each line of an esbuild bundle in the module whose comment is the last above it', async () => {
    const out = await build({ stdin: { contents: "import { ratioToLimit } from './bench/verdict.ts'; import { SEMI_SPACE_MIB } from './simulator/heap-advice.ts'; console.log(ratioToLimit(SEMI_SPACE_MIB));", resolveDir: new URL('../..', import.meta.url).pathname, loader: 'ts' }, bundle: true, write: false, format: 'esm', platform: 'node' });
    const text = out.outputFiles[0]?.text ?? '';
    const lines = text.split('\n');
    const modules = bundleModules(text);
    expect(modules.count).toBe(2);
    const lineOf = (needle: string): number => lines.findIndex((l) => l.includes(needle));
    expect(modules.moduleAt(lineOf('function ratioToLimit'))).toBe('bench/verdict.ts');
    expect(modules.moduleAt(lineOf('SEMI_SPACE_MIB ='))).toBe('simulator/heap-advice.ts');
    // The comment line itself starts its module.
    expect(modules.moduleAt(lines.indexOf('// simulator/heap-advice.ts'))).toBe('simulator/heap-advice.ts');
    expect(modules.moduleAt(lines.indexOf('// bench/verdict.ts') - 1)).toBeNull();
  });

  it('refuses a bundle without module comments (minified): every sample would be unplaced', () => {
    expect(() => bundleModules('var a=1;function b(){}\n')).toThrow(/no esbuild module comments/);
  });
});
