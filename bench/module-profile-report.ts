/**
 * bench:sim's lines for --by-module: each part's sampled self time, and
 * the floor the unchanged reference code sets under the wall/alone ratio
 * (the issue: wall time <= 3x the time the run's relay calls take alone).
 *
 * That floor: a simulator running the reference relay and peer code
 * unchanged spends at least the relay calls' time alone plus the
 * reference peer code's own time. The peer code's time is read inside
 * the run (its cache misses as this simulator lays memory out), so it is
 * this run's floor, not a proof about every design; garbage collection
 * and the shared helpers are left out of it, so it is low rather than high.
 */
import type { ModuleProfile } from './module-profile.ts';
import { ratioToLimit } from './verdict.ts';

const WALL_TARGET = 3;

/**
 * `aloneMs`: the relay calls' time alone from --relay-core-time, null when
 * that failed, undefined when it was not asked for.
 */
export function printModuleProfile(profile: ModuleProfile, runMs: number, aloneMs: number | null | undefined, isIssueWorkload: boolean): void {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  out(`by module     V8's sampling profile of the run: ${profile.sampleCount.toLocaleString('en-US')} samples over ${seconds(profile.sampledMs)} s (the run's wall time ${(runMs / 1000).toFixed(2)} s), each sample's time to the function it landed in (self time), by that function's module:`);
  const sampledMs = profile.parts.reduce((sum, p) => sum + p.ms, 0);
  for (const part of profile.parts) {
    const share = sampledMs === 0 ? 'null' : `${((100 * part.ms) / sampledMs).toFixed(1)} %`;
    out(`              ${seconds(part.ms).padStart(8)} s ${share.padStart(7)}  ${part.label}`);
  }
  if (profile.sampleCount === 0) {
    out('run floor     null (the profile took no sample)');
    return;
  }
  if (aloneMs === undefined) {
    out(`run floor     the reference peer code took ${seconds(profile.referencePeerMs)} s; the floor under wall / alone needs the relay calls' time alone: add --relay-core-time`);
    return;
  }
  if (aloneMs === null || aloneMs === 0) {
    out('run floor     null (no relay-alone figure: see "relay alone" above)');
    return;
  }
  const floorMs = aloneMs + profile.referencePeerMs;
  const floor = floorMs / aloneMs;
  const against = isIssueWorkload ? `; the <= ${WALL_TARGET}x target allows ${ratioToLimit(WALL_TARGET / floor)}x that floor's time, the run took ${ratioToLimit(runMs / floorMs)}x it` : '';
  out(`run floor     the unchanged reference code's own time: the relay calls alone ${seconds(aloneMs)} s (above) and the reference peer code's ${seconds(profile.referencePeerMs)} s in the run make ${seconds(floorMs)} s, ${floor.toFixed(2)}x the calls alone: this run's floor under wall / alone (the relay at its best alone, the peer code as it ran here, no simulator, no garbage collection)${against}`);
}

/** Milliseconds as seconds to the millisecond: a toy run's parts are a few ms each. */
function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
