/**
 * bench:sim --by-module's attribution on a profile of known shape: each
 * sample's time (the next time delta) goes to its function's part, and a
 * dependency's or built-in's sample to its nearest caller of ours.
 */
import { describe, expect, it } from 'vitest';
import { bundleModules } from '../../bench/bundle-modules.ts';
import { attribute } from '../../bench/module-profile.ts';

const BUNDLE_URL = 'file:///cache/sim-workload.mjs';
// Lines: 0 relay mark, 1 relay fn, 2 peer mark, 3 peer fn, 4 zod mark, 5 zod fn.
const modules = bundleModules(['// reference/relay/core/validate.ts', 'function validate() {}', '// reference/peer/core/try-order.ts', 'function startNext() {}', '// node_modules/zod/v4/core/schemas.js', 'function run() {}'].join('\n'));
const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber });
// root -> validate -> zod run, and -> a native (no script); root -> startNext; root -> node:timers; root -> zod run (no caller of ours); root -> (garbage collector)
const nodes = [
  { id: 1, callFrame: frame('(root)', ''), children: [2, 4, 5, 6, 7] },
  { id: 2, callFrame: frame('validate', BUNDLE_URL, 1), children: [3, 8] },
  { id: 3, callFrame: frame('run', BUNDLE_URL, 5) },
  { id: 4, callFrame: frame('startNext', BUNDLE_URL, 3) },
  { id: 5, callFrame: frame('listOnTimeout', 'node:internal/timers') },
  { id: 6, callFrame: frame('run', BUNDLE_URL, 5) },
  { id: 7, callFrame: frame('(garbage collector)', '') },
  { id: 8, callFrame: frame('now', '') },
];

describe('attribute', () => {
  it('puts each sample on its part, and a dependency on its caller of ours', () => {
    // Sample i lasts timeDeltas[i + 1] us: 1,000 (validate), 2,000 (zod under validate), 4,000 (startNext), 8,000 (node timers), 16,000 (zod alone), 32,000 (GC), then a last sample with no delta after it.
    // Then 64,000 (the native under validate), and a last sample with no delta after it.
    const profile = { nodes, samples: [2, 3, 4, 5, 6, 7, 8, 2], timeDeltas: [0, 1000, 2000, 4000, 8000, 16000, 32000, 64000], startTime: 0, endTime: 127_000 };
    const result = attribute(profile, modules, BUNDLE_URL);
    const ms = (start: string): number | undefined => result.parts.find((p) => p.label.startsWith(start))?.ms;
    expect(result.referenceRelayMs).toBe(67);
    expect(result.referencePeerMs).toBe(4);
    expect(ms('node built-ins')).toBe(8);
    expect(ms('dependencies')).toBe(16);
    expect(ms('V8: garbage collection')).toBe(32);
    expect(result.sampleCount).toBe(8);
    expect(result.sampledMs).toBe(127);
    expect(result.parts.reduce((sum, p) => sum + p.ms, 0)).toBe(127);
  });
});
