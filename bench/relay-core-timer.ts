/**
 * `bench:sim --relay-core-time`: how much of a run's wall time the
 * unchanged reference RelayCore takes, measured inside the run.
 *
 * The issue asks the simulator to run the reference relay core unchanged,
 * so whatever a request costs there is a floor under any simulator design.
 * This wraps RelayCore.prototype.handle (in the benchmark process only:
 * the simulator's code is untouched) and sums the time from the call to
 * its settled answer. The wrapper's own cost (two clock reads and one
 * extra await) is measured on a trivial handler first and subtracted.
 */
import { RelayCore } from '../reference/relay/core/relay-core.ts';
import type { RelayRequest, RelayResponse } from '../reference/relay/core/types.ts';

export interface RelayCoreTiming {
  calls: number;
  /** Time inside handle(), the wrapper's calibrated overhead already taken off. */
  coreMs: number;
  overheadPerCallUs: number;
}

type Handle = (this: RelayCore, request: RelayRequest) => Promise<RelayResponse>;

const CALIBRATION_CALLS = 200_000;

/**
 * Starts timing every RelayCore.handle call in this process; the returned
 * function stops it (handle is the original again, so what runs after the
 * run, such as the memory floor's store rebuilt alone, is not counted) and
 * gives the totals.
 */
export async function timeRelayCore(): Promise<() => RelayCoreTiming> {
  const overheadPerCallUs = await wrapperOverheadUs();
  let calls = 0;
  let totalMs = 0;
  const original: Handle = RelayCore.prototype.handle;
  RelayCore.prototype.handle = async function timedHandle(this: RelayCore, request: RelayRequest): Promise<RelayResponse> {
    const startedMs = performance.now();
    try {
      return await original.call(this, request);
    } finally {
      totalMs += performance.now() - startedMs;
      calls++;
    }
  };
  return () => {
    RelayCore.prototype.handle = original;
    return { calls, coreMs: Math.max(0, totalMs - (calls * overheadPerCallUs) / 1000), overheadPerCallUs };
  };
}

/** The same wrapper around a handler that does nothing: what timing itself costs per call. */
async function wrapperOverheadUs(): Promise<number> {
  const settled: Promise<RelayResponse> = Promise.resolve({ status: 200, body: null });
  let totalMs = 0;
  const timed = async (): Promise<RelayResponse> => {
    const startedMs = performance.now();
    try {
      return await settled;
    } finally {
      totalMs += performance.now() - startedMs;
    }
  };
  for (let i = 0; i < CALIBRATION_CALLS; i++) await timed();
  return (totalMs * 1000) / CALIBRATION_CALLS;
}
