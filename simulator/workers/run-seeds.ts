/**
 * Runs several seeds of one scenario on worker threads, one per core
 * (each run is single-threaded and independent). Results come back in
 * seed order whatever order the workers finish in, so the output does not
 * depend on scheduling.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Results } from '../report/results.ts';
import type { Scenario } from '../scenario/scenario.ts';

type Reply = { ok: true; results: Results } | { ok: false; message: string };

export async function runSeedsOnWorkers(scenario: Scenario, seeds: number[], maxWorkers = availableParallelism()): Promise<Results[]> {
  const results: Results[] = new Array(seeds.length);
  let next = 0;
  const workerCount = Math.max(1, Math.min(maxWorkers, seeds.length));
  const entry = new URL('./seed-worker-entry.mjs', import.meta.url);
  await Promise.all(
    Array.from({ length: workerCount }, async () => {
      const worker = new Worker(entry);
      try {
        while (next < seeds.length) {
          const index = next++;
          results[index] = await runOne(worker, scenario, seeds[index] as number);
        }
      } finally {
        await worker.terminate();
      }
    }),
  );
  return results;
}

function runOne(worker: Worker, scenario: Scenario, seed: number): Promise<Results> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: Reply): void => {
      worker.off('error', onError);
      if (reply.ok) resolve(reply.results);
      else reject(new Error(`seed ${seed} failed in a worker: ${reply.message}`));
    };
    const onError = (error: Error): void => {
      worker.off('message', onMessage);
      reject(error);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    worker.postMessage({ scenario, seed });
  });
}
