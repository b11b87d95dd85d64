/**
 * Splits what a simulator run holds beyond its samples and relay store
 * into a cost per live peer and a cost per departed peer, from the
 * --live-heap checks of one run: rest = perLive × live + perDeparted ×
 * departed, fitted by least squares (no intercept: the heap held before
 * the World was made is taken out first). A fit needs the two counts to
 * vary apart across the checks; when they do not, it is null and says why.
 */
export interface HeldCheck {
  /** Bytes beyond the heap before the World, the samples and the relay's store. */
  restBytes: number;
  live: number;
  departed: number;
}

export type MemorySplit =
  | { perLiveBytes: number; perDepartedBytes: number; checks: number; worstResidualBytes: number }
  | { perLiveBytes: null; perDepartedBytes: null; checks: number; note: string };

/** det / (Σl² Σd²) below this: the two columns are (nearly) proportional, the split is not determined. */
const MIN_RELATIVE_DETERMINANT = 1e-4;

/** `leastPeers`: below that many live or departed peers at every check, their bytes are lost in the collector's noise. */
export function splitHeld(checks: readonly HeldCheck[], leastPeers = 1000): MemorySplit {
  for (const c of checks) if (!(c.live >= 0 && c.departed >= 0 && Number.isFinite(c.restBytes))) throw new RangeError(`a check needs finite bytes and counts of at least 0, got ${JSON.stringify(c)}`);
  let ll = 0;
  let ld = 0;
  let dd = 0;
  let lr = 0;
  let dr = 0;
  for (const c of checks) {
    ll += c.live * c.live;
    ld += c.live * c.departed;
    dd += c.departed * c.departed;
    lr += c.live * c.restBytes;
    dr += c.departed * c.restBytes;
  }
  const det = ll * dd - ld * ld;
  const note = undetermined(checks, ll, dd, det, leastPeers);
  if (note !== null) return { perLiveBytes: null, perDepartedBytes: null, checks: checks.length, note: `not determined: ${note}` };
  const perLiveBytes = (lr * dd - dr * ld) / det;
  const perDepartedBytes = (dr * ll - lr * ld) / det;
  let worstResidualBytes = 0;
  for (const c of checks) worstResidualBytes = Math.max(worstResidualBytes, Math.abs(c.restBytes - perLiveBytes * c.live - perDepartedBytes * c.departed));
  return { perLiveBytes, perDepartedBytes, checks: checks.length, worstResidualBytes };
}

/** Why the checks cannot give the split, or null when they can. */
function undetermined(checks: readonly HeldCheck[], ll: number, dd: number, det: number, leastPeers: number): string | null {
  if (checks.length < 2) return 'fewer than two checks';
  if (dd === 0) return 'no peer had departed at any check';
  if (ll === 0) return 'no peer was live at any check';
  const mostLive = Math.max(...checks.map((c) => c.live));
  const mostDeparted = Math.max(...checks.map((c) => c.departed));
  if (mostLive < leastPeers || mostDeparted < leastPeers) return `fewer than ${leastPeers.toLocaleString('en-US')} ${mostLive < leastPeers ? 'live' : 'departed'} peers at every check, too few to tell their bytes from the collector's noise`;
  if (det / (ll * dd) < MIN_RELATIVE_DETERMINANT) return 'live and departed peers grew in step across the checks';
  return null;
}
