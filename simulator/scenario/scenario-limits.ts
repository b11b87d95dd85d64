/**
 * Limits that depend on several fields at once, checked after the file is
 * read and again after command-line overrides (`--peers`, `--duration`),
 * so a run that cannot fit its address plan is refused up front with one
 * line, instead of stopping minutes in.
 */
import type { Scenario } from './scenario.ts';
import { ScenarioError } from './scenario-error.ts';

/** `lan_addressing: distinct` gives every LAN (and IPv6 prefix) its own 10.x.y.0/24. */
export const DISTINCT_LAN_LIMIT = 65_536;

/**
 * The most LAN indices a run may use: every initial peer and every peer
 * that may join gets at most one. Joins are random, so the expected count
 * is doubled: a run refused here would be at risk of running out.
 */
export function lanIndexBound(s: Scenario): number {
  const hours = s.durationMs / 3_600_000;
  return Math.ceil(s.peers * (1 + 2 * s.churn.joinsPerHour * hours));
}

export function checkScenarioLimits(s: Scenario, source: 'file' | 'options'): void {
  if (s.lanAddressing === 'distinct' && lanIndexBound(s) > DISTINCT_LAN_LIMIT) {
    const why = source === 'options' ? ' with the --peers/--duration given' : '';
    throw new ScenarioError(
      s.file,
      null,
      'lan_addressing',
      `distinct gives each LAN its own 10.x.y.0/24, at most ${DISTINCT_LAN_LIMIT} LANs, but this run may place up to ${lanIndexBound(s)} peers (peers plus joins)${why}: use lan_addressing: overlapping, or fewer peers`,
    );
  }
}
