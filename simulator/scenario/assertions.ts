/**
 * Scenario assertions: `metric op number` or `stat(metric) op number`,
 * e.g. `p95(time_to_connect_ms) < 6000`, `false_expiries == 0`.
 * The metric names are the ones results.json carries.
 */
export const SCALAR_METRICS = [
  'false_expiries',
  'stale_lookups',
  'stale_lookup_ratio',
  'lookups',
  'connects',
  'connect_success_ratio',
  'try_order_violations',
  'wrong_host_accepted',
  'wrong_host_caught',
  're_ready_recoveries',
  'relay_requests',
  'heartbeats_dropped',
  'visibility_violations',
  'lifecycle_failures',
  'friend_status_changes',
  'friend_online_while_dead',
  // What happened at all, so a scenario can assert that its point was exercised
  // (e.g. `visibility_violations == 0` means little unless `visibility_probes > 0`).
  'visibility_probes',
  'connects_to_dead_peers',
  'peers_joined',
  'peers_left',
  'peers_crashed',
  'address_changes',
  'relay_outages',
  // Every window in which a live peer was not listed, looked up or not (false_expiries counts only the lookups that fell into one).
  'expiry_gaps',
  // Online reports that landed after the friend departed, on an answer it gave while alive (in flight as it went): no violation.
  'friend_online_after_departure',
  // SPEC EXT, where the relay offers them: goodbyes that ended a live broadcast, and accepted readies announcing the relay's observed address.
  'goodbyes_accepted',
  'readies_with_observed_address',
] as const;
export const DISTRIBUTION_METRICS = ['time_to_connect_ms', 'attempts_until_success', 'join_to_discoverable_ms', 'lookup_latency_ms', 'staleness_ms', 'listed_after_departure_ms', 'listed_after_crash_ms', 'listed_after_leave_ms', 'expiry_gap_ms'] as const;
export const STATS = ['p50', 'p90', 'p95', 'p99', 'mean', 'min', 'max', 'count'] as const;
export const OPERATORS = ['<', '<=', '==', '!=', '>=', '>'] as const;

export type ScalarMetric = (typeof SCALAR_METRICS)[number];
export type DistributionMetric = (typeof DISTRIBUTION_METRICS)[number];
export type Stat = (typeof STATS)[number];
export type Operator = (typeof OPERATORS)[number];

export interface Assertion {
  text: string;
  stat: Stat | null;
  metric: ScalarMetric | DistributionMetric;
  operator: Operator;
  threshold: number;
}

const SHAPE = /^\s*(?:([a-z0-9]+)\(\s*([a-z_]+)\s*\)|([a-z_]+))\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/;

/** The parsed assertion, or a sentence saying what is wrong with it. */
export function parseAssertion(text: string): Assertion | string {
  const match = SHAPE.exec(text);
  if (match === null) return `"${text}" is not of the form "metric < number" or "p95(metric) < number"`;
  const [, stat, statMetric, bareMetric, operator, threshold] = match;
  if (stat !== undefined) {
    if (!(STATS as readonly string[]).includes(stat)) return `unknown statistic "${stat}" (use one of ${STATS.join(', ')})`;
    if (!(DISTRIBUTION_METRICS as readonly string[]).includes(statMetric as string)) return `"${statMetric}" is not a distribution (use one of ${DISTRIBUTION_METRICS.join(', ')})`;
    return { text: text.trim(), stat: stat as Stat, metric: statMetric as DistributionMetric, operator: operator as Operator, threshold: Number(threshold) };
  }
  if (!(SCALAR_METRICS as readonly string[]).includes(bareMetric as string)) {
    return `unknown metric "${bareMetric}" (use one of ${SCALAR_METRICS.join(', ')}, or a statistic of ${DISTRIBUTION_METRICS.join(', ')})`;
  }
  return { text: text.trim(), stat: null, metric: bareMetric as ScalarMetric, operator: operator as Operator, threshold: Number(threshold) };
}

export function compare(value: number, operator: Operator, threshold: number): boolean {
  switch (operator) {
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
    case '>=':
      return value >= threshold;
    case '>':
      return value > threshold;
  }
}
