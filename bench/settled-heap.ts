/**
 * What a benchmark's objects hold: heap plus memory outside it, read once
 * the current job has ended (what it keeps alive until then is not theirs)
 * and after two full collections. Needs node --expose-gc (bench:sim passes it).
 */
export async function settledHeapBytes(what: string): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error(`${what} needs node --expose-gc`);
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}
