/**
 * One worker thread: receives (scenario, seed) jobs, runs each in its own
 * World (nothing is shared between runs), and posts progress (the
 * fraction of virtual time done) and then the results back.
 */
import { parentPort } from 'node:worker_threads';
import { runScenario } from '../run-scenario.ts';
import type { Scenario } from '../scenario/scenario.ts';

export interface SeedJob {
  scenario: Scenario;
  seed: number;
}

if (parentPort === null) throw new Error('seed-worker must run as a worker thread');
const port = parentPort;
port.on('message', (job: SeedJob | null) => {
  if (job === null) {
    port.close();
    return;
  }
  const durationMs = job.scenario.durationMs;
  runScenario({ ...job.scenario, seed: job.seed }, (elapsedMs) => port.postMessage({ progress: Math.min(1, elapsedMs / durationMs) })).then(
    (results) => port.postMessage({ ok: true, results }),
    (error: unknown) => port.postMessage({ ok: false, message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
