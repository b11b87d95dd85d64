/**
 * `bench:sim --by-module`: where a run's time goes, by source module.
 *
 * V8's sampling profiler runs over the run (in this process, through the
 * inspector), and each sample's time goes to the function it landed in
 * (self time: a callee's time is its own), then to that function's module
 * in the bundle (bench/bundle-modules.ts), then to a part. A function in a
 * dependency or a node built-in counts for the nearest caller of ours
 * (the reference relay validates with zod: that is the relay's time, as
 * it is in the relay's time alone). The parts: the unchanged
 * reference relay core, the unchanged reference peer code, the
 * simulator's engine, world and network, and V8's own (garbage
 * collection, code outside any JS function). The reference code's parts
 * are what no simulator design can take away while it runs that code
 * unchanged, as the issue requires; the floor under the wall/alone ratio
 * is read from them.
 */
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import { bundleModules, type BundleModules } from './bundle-modules.ts';

/**
 * One sample a millisecond at most: some 200,000 over the day. No cost
 * showed above the noise (100,000 peers over 4 h, two alternating rounds,
 * 2026-12-07: 42.3 and 38.4 s without, 40.2 and 38.2 s with).
 */
const SAMPLING_INTERVAL_US = 1000;

export interface ProfilePart {
  label: string;
  /** Self time sampled in it. */
  ms: number;
}

export interface ModuleProfile {
  /** Time the samples cover, idle included. */
  sampledMs: number;
  sampleCount: number;
  /** In the order of PARTS, then V8's own; parts with no sample are kept (0 ms is measured, not missing). */
  parts: ProfilePart[];
  /** The reference peer code's share: what the floor adds to the relay calls. */
  referencePeerMs: number;
  referenceRelayMs: number;
}

/** Parts by module path prefix, first match wins. `reference/shared` is helpers the simulator also calls itself (rng, ip), so it is not counted as the peer's. */
export const PARTS: ReadonlyArray<{ prefix: string; label: string }> = [
  { prefix: 'reference/relay/', label: 'reference relay core (reference/relay)' },
  { prefix: 'reference/peer/', label: 'reference peer code (reference/peer)' },
  { prefix: 'reference/shared/', label: 'reference shared helpers (reference/shared: rng, ip; the simulator calls them too)' },
  { prefix: 'simulator/engine/', label: 'simulator engine (simulator/engine: the event queue, clock, timers)' },
  { prefix: 'simulator/world/', label: 'simulator world (simulator/world: peers, transport, routing)' },
  { prefix: 'simulator/net/', label: 'simulator network (simulator/net: NATs, hosts)' },
  { prefix: 'simulator/measure/', label: 'simulator measurements (simulator/measure)' },
  { prefix: 'simulator/', label: 'simulator, other' },
  { prefix: 'bench/', label: 'this benchmark (bench/: progress, the relay-core timing wrapper)' },
  { prefix: 'node_modules/', label: 'dependencies (node_modules) with no caller of ours' },
];
const NODE_BUILTINS = 'node built-ins (node:*) with no caller of ours';
const NATIVE = 'native functions (no script: bindings such as performance.now) with no caller of ours';
const GC = 'V8: garbage collection';
const PROGRAM = 'V8: outside any JS function ((program): compiling, runtime, builtins it cannot place)';
const IDLE = 'idle (waiting on the event loop)';
/** Parts whose time goes to the caller of ours when there is one. */
const BORROWED: ReadonlySet<string> = new Set([PARTS.find((p) => p.prefix === 'node_modules/')!.label, NODE_BUILTINS, NATIVE]);
const OURS: ReadonlySet<string> = new Set(PARTS.filter((p) => p.prefix !== 'node_modules/').map((p) => p.label));
const UNPLACED = 'unplaced (a bundle line above the first module, or a module under none of the paths above)';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

/** Starts profiling this process; the returned function stops and attributes the samples. */
export async function startModuleProfile(): Promise<() => Promise<ModuleProfile>> {
  const bundleUrl = import.meta.url;
  if (!bundleUrl.endsWith('.mjs')) throw new Error('--by-module reads the esbuild bundle npm run bench:sim builds; run it through npm run bench:sim');
  const modules = bundleModules(readFileSync(fileURLToPath(bundleUrl), 'utf8'));
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    session.disconnect();
    return attribute(profile, modules, bundleUrl);
  };
}

/** Each sample's time (the delta to the next sample) to the part its function's module is in. */
export function attribute(profile: CpuProfile, modules: BundleModules, bundleUrl: string): ModuleProfile {
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const ownPart = new Map<number, string>();
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) {
    ownPart.set(node.id, partOf(node.callFrame, modules, bundleUrl));
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  }
  const partOfNode = new Map<number, string>();
  for (const node of profile.nodes) partOfNode.set(node.id, callersPart(node.id, ownPart, parentOf));
  const msByPart = new Map<string, number>();
  for (let i = 0; i < samples.length; i++) {
    // timeDeltas[i] is the time from sample i-1 to sample i: sample i's time is the next delta.
    // (Samples taken out of order give a negative delta; DevTools sorts them, here they count as none.)
    const us = i + 1 < deltas.length ? Math.max(0, deltas[i + 1] as number) : 0;
    const part = partOfNode.get(samples[i] as number) ?? UNPLACED;
    msByPart.set(part, (msByPart.get(part) ?? 0) + us / 1000);
  }
  const labels = [...PARTS.map((p) => p.label), NODE_BUILTINS, NATIVE, GC, PROGRAM, IDLE, UNPLACED];
  const parts = labels.map((label) => ({ label, ms: msByPart.get(label) ?? 0 })).filter((p) => p.label !== UNPLACED || p.ms > 0);
  const ms = (label: string): number => msByPart.get(label) ?? 0;
  return {
    sampledMs: (profile.endTime - profile.startTime) / 1000,
    sampleCount: samples.length,
    parts,
    referencePeerMs: ms(PARTS[1]!.label),
    referenceRelayMs: ms(PARTS[0]!.label),
  };
}

/** A dependency's or built-in's node counts for its nearest ancestor of ours; one with none keeps its own part. */
function callersPart(id: number, ownPart: ReadonlyMap<number, string>, parentOf: ReadonlyMap<number, number>): string {
  const own = ownPart.get(id) as string;
  if (!BORROWED.has(own)) return own;
  for (let at = parentOf.get(id); at !== undefined; at = parentOf.get(at)) {
    const part = ownPart.get(at) as string;
    if (!BORROWED.has(part) && OURS.has(part)) return part;
  }
  return own;
}

function partOf(frame: ProfileNode['callFrame'], modules: BundleModules, bundleUrl: string): string {
  if (frame.url === bundleUrl) {
    const path = modules.moduleAt(frame.lineNumber);
    if (path === null) return UNPLACED;
    return PARTS.find((p) => path.startsWith(p.prefix))?.label ?? UNPLACED;
  }
  if (frame.url.startsWith('node:')) return NODE_BUILTINS;
  if (frame.functionName === '(garbage collector)') return GC;
  if (frame.functionName === '(idle)') return IDLE;
  if (frame.functionName === '(program)' || frame.functionName === '(root)') return PROGRAM;
  // A function with no script of ours or node's (a binding, an API callback): its caller's.
  return NATIVE;
}
