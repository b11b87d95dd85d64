/** Small pure helpers for bench/relay.bench.ts: medians and ratio ranges over alternating rounds. */


export interface Stats {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** CPU the server process used per answered request (user + system). */
  serverCpuUsPerRequest: number;
  /** CPU this driving process used per request: the load generator shares the machine. */
  driverCpuUsPerRequest: number;
  /** CPU the scratch database's PostgreSQL backends used per request in the same span; null with no database (or none of its backends on this machine). */
  databaseCpuUsPerRequest: number | null;
}

/** The run with the median req/s (its p50 and p99 come with it). */
export function median(runs: Stats[]): Stats {
  const sorted = [...runs].sort((a, b) => a.rps - b.rps);
  const mid = sorted[Math.floor(sorted.length / 2)];
  if (!mid) throw new RangeError('median of no runs');
  return mid;
}

/** Median, least and greatest of per-round ratios: the spread says how noisy the machine was. */
export function ratioRange(ratios: number[]): { median: number; min: number; max: number } {
  if (ratios.length === 0) throw new RangeError('no ratios');
  const sorted = [...ratios].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)] as number, min: sorted[0] as number, max: sorted[sorted.length - 1] as number };
}

/** Bytes per live broadcast with its identity: everything the store came to hold, heap and outside it, over the broadcasts counted live. */
export function bytesPerBroadcast(probe: { count: number; live: number; heapBytes: number; externalBytes: number }): number {
  if (probe.live !== probe.count) throw new Error(`memory probe: ${probe.live} of ${probe.count} broadcasts are live; the figure would not be per broadcast`);
  return (probe.heapBytes + probe.externalBytes) / probe.count;
}
