/**
 * One worker thread: receives (scenario, seed) jobs, runs each in its own
 * World (nothing is shared between runs), and posts progress (the
 * fraction of virtual time done, the virtual time and events so far) and
 * then the results back. A job may carry a shared stop flag: once the
 * main thread sets it (Ctrl-C), the run stops at its next progress step
 * and posts what it measured, with the virtual time it stopped at.
 */
import { parentPort } from 'node:worker_threads';
import { runScenarioUntil } from '../run-scenario.ts';
import type { Scenario } from '../scenario/scenario.ts';

export interface SeedJob {
  scenario: Scenario;
  seed: number;
  /** Int32Array over a SharedArrayBuffer; element 0 set to 1 means stop (see stop-flag.ts). */
  stop?: Int32Array;
}

if (parentPort === null) throw new Error('seed-worker must run as a worker thread');
const port = parentPort;
port.on('message', (job: SeedJob | null) => {
  if (job === null) {
    port.close();
    return;
  }
  const durationMs = job.scenario.durationMs;
  const stop = job.stop;
  runScenarioUntil(
    { ...job.scenario, seed: job.seed },
    {
      onProgress: ({ elapsedMs, events }) => port.postMessage({ progress: Math.min(1, elapsedMs / durationMs), elapsedMs, events }),
      ...(stop ? { shouldStop: () => Atomics.load(stop, 0) === 1 } : {}),
    },
  ).then(
    ({ results, stoppedAtMs }) => port.postMessage({ ok: true, results, stoppedAtMs }),
    (error: unknown) => port.postMessage({ ok: false, message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
