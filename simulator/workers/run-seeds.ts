/**
 * Runs several seeds of one scenario on worker threads, one per core
 * (each run is single-threaded and independent). Results come back in
 * seed order whatever order the workers finish in, so the output does not
 * depend on scheduling. Off the main thread, a run also leaves the main
 * thread free to hear Ctrl-C: aborting `signal` sets a flag the workers
 * read between events, and each stops there with what it measured.
 */
import { availableParallelism } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { YOUNG_GENERATION_MIB } from '../heap-advice.ts';
import type { Results } from '../report/results.ts';
import type { Scenario } from '../scenario/scenario.ts';

type Reply = { ok: true; results: Results; stoppedAtMs: number | null } | { ok: false; message: string } | { progress: number; elapsedMs: number; events: number };

export interface SeedRun {
  seed: number;
  results: Results;
  /** Where Ctrl-C stopped this seed's virtual time; null when it ran to its end. */
  stoppedAtMs: number | null;
}

export interface SeedsProgress {
  /** Of all seeds' virtual time, from 0 to 1. */
  fraction: number;
  /** Virtual time done, summed over seeds. */
  virtualMs: number;
  /** Events processed, summed over seeds. */
  events: number;
}

export interface SeedsControl {
  onProgress?: (progress: SeedsProgress) => void;
  /** Aborted: no seed starts, running ones stop at their next progress step. */
  signal?: AbortSignal;
  maxWorkers?: number;
}

/** `onProgress` gets the fraction of all seeds' virtual time done so far, from 0 to 1. */
export async function runSeedsOnWorkers(scenario: Scenario, seeds: number[], onProgress?: (fraction: number) => void, maxWorkers = availableParallelism()): Promise<Results[]> {
  const runs = await runSeedsStoppable(scenario, seeds, { maxWorkers, ...(onProgress ? { onProgress: (p) => onProgress(p.fraction) } : {}) });
  return runs.map((r) => r.results);
}

/** The seeds that ran (all of them unless `signal` was aborted), in seed order, each marked stopped or not. */
export async function runSeedsStoppable(scenario: Scenario, seeds: number[], control: SeedsControl = {}): Promise<SeedRun[]> {
  const runs = await runJobsStoppable(seeds.map((seed) => ({ scenario, seed })), control);
  return runs.filter((r): r is SeedRun => r !== undefined);
}

/**
 * Any (scenario, seed) jobs (a sweep's points and seeds) on one pool; by
 * job index, undefined for a job that never started (Ctrl-C came first).
 */
export async function runJobsStoppable(jobs: ReadonlyArray<{ scenario: Scenario; seed: number }>, control: SeedsControl = {}): Promise<Array<SeedRun | undefined>> {
  const runs: Array<SeedRun | undefined> = Array.from({ length: jobs.length }, () => undefined);
  const fractions = new Float64Array(jobs.length);
  const virtual = new Float64Array(jobs.length);
  const events = new Float64Array(jobs.length);
  const report = (index: number, fraction: number, elapsedMs: number, eventCount: number): void => {
    fractions[index] = fraction;
    virtual[index] = elapsedMs;
    events[index] = eventCount;
    control.onProgress?.({ fraction: sum(fractions) / jobs.length, virtualMs: sum(virtual), events: sum(events) });
  };
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const onAbort = (): void => void Atomics.store(stop, 0, 1);
  if (control.signal?.aborted) onAbort();
  control.signal?.addEventListener('abort', onAbort, { once: true });
  let next = 0;
  const workerCount = Math.max(1, Math.min(control.maxWorkers ?? availableParallelism(), jobs.length));
  const entry = new URL('./seed-worker-entry.mjs', import.meta.url);
  const resourceLimits = seedWorkerLimits();
  try {
    await Promise.all(
      Array.from({ length: workerCount }, async () => {
        const worker = new Worker(entry, { resourceLimits });
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        try {
          while (next < jobs.length && Atomics.load(stop, 0) === 0) {
            const index = next++;
            const { scenario, seed } = jobs[index] as { scenario: Scenario; seed: number };
            const run = await runOne(worker, scenario, seed, stop, (fraction, elapsedMs, eventCount) => report(index, fraction, elapsedMs, eventCount));
            runs[index] = { seed, ...run };
            report(index, run.stoppedAtMs === null ? 1 : (fractions[index] as number), run.stoppedAtMs ?? scenario.durationMs, run.results.events_processed);
          }
        } finally {
          await closeWorker(worker, exited);
        }
      }),
    );
  } finally {
    control.signal?.removeEventListener('abort', onAbort);
  }
  return runs;
}

/**
 * The main thread's heap limit (--max-old-space-size, see heap-advice.ts)
 * holds in the workers too; their young generation is sized for a
 * simulation's short-lived state (SEMI_SPACE_MIB's note).
 */
export function seedWorkerLimits(): { maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb: number } {
  return { maxOldGenerationSizeMb: Math.ceil(getHeapStatistics().heap_size_limit / 2 ** 20), maxYoungGenerationSizeMb: YOUNG_GENERATION_MIB };
}

/**
 * Asks the worker to close its port and waits for its thread to end by
 * itself. worker.terminate() stops a thread wherever it is; under load the
 * CI once aborted the whole process that way in Node 20's teardown
 * ("Assertion failed: (data.first) != nullptr" in NodePlatform::ForIsolate,
 * a background compile job outliving its isolate). terminate() stays the
 * fallback for a worker that does not end within CLOSE_GRACE_MS.
 */
const CLOSE_GRACE_MS = 5_000;
async function closeWorker(worker: Worker, exited: Promise<void>): Promise<void> {
  worker.postMessage(null);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), CLOSE_GRACE_MS)));
  if ((await Promise.race([exited, late])) === 'late') await worker.terminate();
  clearTimeout(timer);
}

function sum(values: Float64Array): number {
  return values.reduce((a, b) => a + b, 0);
}

function runOne(worker: Worker, scenario: Scenario, seed: number, stop: Int32Array, onProgress: (fraction: number, elapsedMs: number, events: number) => void): Promise<Omit<SeedRun, 'seed'>> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: Reply): void => {
      if ('progress' in reply) return onProgress(reply.progress, reply.elapsedMs, reply.events);
      worker.off('message', onMessage);
      worker.off('error', onError);
      if (reply.ok) resolve({ results: reply.results, stoppedAtMs: reply.stoppedAtMs });
      else reject(new Error(`seed ${seed} failed in a worker: ${reply.message}`));
    };
    const onError = (error: Error): void => {
      worker.off('message', onMessage);
      reject(error);
    };
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.postMessage({ scenario, seed, stop });
  });
}
