/**
 * The relay-core target, measured in one run: per call at a large
 * number of identities within 2x of the per-call cost at 1,000, the
 * unchanged RelayCore on the memory store alone (relay-core-alone.ts). Beside it,
 * the floor (relay-core-floor.ts): what the store's own reads cost at both
 * sizes, which no core can go below.
 */
import { relayCoresAlone } from './relay-core-alone.ts';
import { storeFloorUs } from './relay-core-floor.ts';

export const SMALL_IDENTITIES = 1_000;
export const TARGET_RATIO = 2;

export interface RelayCoreScaling {
  identities: number;
  smallUs: number;
  largeUs: number;
  ratio: number;
  floorSmallUs: number;
  floorLargeUs: number;
}

export async function measureRelayCoreScaling(identities: number, calls = 500_000): Promise<RelayCoreScaling> {
  const [small, large] = await relayCoresAlone([SMALL_IDENTITIES, identities], calls);
  const [floorSmallUs, floorLargeUs] = storeFloorUs([SMALL_IDENTITIES, identities], calls);
  const smallUs = (small as { coreUs: number }).coreUs;
  const largeUs = (large as { coreUs: number }).coreUs;
  return { identities, smallUs, largeUs, ratio: largeUs / smallUs, floorSmallUs: floorSmallUs as number, floorLargeUs: floorLargeUs as number };
}

/** Lines for a benchmark's output, each figure beside the target it answers to. */
export function describeRelayCoreScaling(s: RelayCoreScaling): string[] {
  const n = (v: number) => v.toLocaleString('en-US');
  const met = s.ratio <= TARGET_RATIO ? 'met' : 'missed';
  // The least the large size can cost: the small size's cost plus what the store's reads alone grow by.
  const leastUs = s.smallUs + Math.max(0, s.floorLargeUs - s.floorSmallUs);
  return [
    `relay core    ${s.smallUs.toFixed(2)} us per call at ${n(SMALL_IDENTITIES)} identities, ${s.largeUs.toFixed(2)} us at ${n(s.identities)}: ${s.ratio.toFixed(2)}x   (target within ${TARGET_RATIO}x: ${met})`,
    `store floor   its reads alone (two Map probes with their rows and times): ${s.floorSmallUs.toFixed(2)} us at ${n(SMALL_IDENTITIES)}, ${s.floorLargeUs.toFixed(2)} us at ${n(s.identities)}; so at least ${leastUs.toFixed(2)} us at ${n(s.identities)}, ${(leastUs / s.smallUs).toFixed(2)}x`,
  ];
}
