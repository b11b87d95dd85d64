/**
 * Sequential against race on the same seed: per (caller, callee) class
 * pair, success ratio, attempts until success and time to connect side by
 * side. Same seed means the same topology and churn, so the difference is
 * the strategy's.
 */
import type { Results } from './results.ts';

/** A statistic of nothing is null, with `note` saying why (no tries, or tries but no successes). */
export interface StrategySide {
  tries: number;
  success_ratio: number | null;
  attempts_p50: number | null;
  time_to_connect_p50_ms: number | null;
  time_to_connect_p95_ms: number | null;
  note?: string;
}

export interface StrategyComparisonRow {
  caller: string;
  callee: string;
  sequential: StrategySide;
  race: StrategySide;
}

export function compareStrategies(sequential: Results, race: Results): StrategyComparisonRow[] {
  return sequential.pairs.map((pair, i) => {
    const other = race.pairs[i];
    if (other === undefined || other.caller !== pair.caller || other.callee !== pair.callee) throw new Error('the two runs have different topologies');
    return { caller: pair.caller, callee: pair.callee, sequential: pairSide(pair), race: pairSide(other) };
  });
}

/** One pair's side of a comparison (also the extension comparison's). */
export function pairSide(pair: Results['pairs'][number]): StrategySide {
  const note = pair.tries === 0 ? 'no tries' : pair.successes === 0 ? 'no successes' : null;
  return {
    tries: pair.tries,
    success_ratio: pair.success_ratio,
    attempts_p50: pair.attempts_until_success.p50,
    time_to_connect_p50_ms: pair.time_to_connect_ms.p50,
    time_to_connect_p95_ms: pair.time_to_connect_ms.p95,
    ...(note === null ? {} : { note }),
  };
}
