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

type Reply = { ok: true; results: Results } | { ok: false; message: string } | { progress: number };

/** `onProgress` gets the fraction of all seeds' virtual time done so far, from 0 to 1. */
export async function runSeedsOnWorkers(scenario: Scenario, seeds: number[], onProgress?: (fraction: number) => void, maxWorkers = availableParallelism()): Promise<Results[]> {
  const results: Results[] = new Array(seeds.length);
  const doneBySeed = new Float64Array(seeds.length);
  const report = (index: number, fraction: number): void => {
    doneBySeed[index] = fraction;
    onProgress?.(doneBySeed.reduce((a, b) => a + b, 0) / seeds.length);
  };
  let next = 0;
  const workerCount = Math.max(1, Math.min(maxWorkers, seeds.length));
  const entry = new URL('./seed-worker-entry.mjs', import.meta.url);
  await Promise.all(
    Array.from({ length: workerCount }, async () => {
      const worker = new Worker(entry);
      try {
        while (next < seeds.length) {
          const index = next++;
          results[index] = await runOne(worker, scenario, seeds[index] as number, (fraction) => report(index, fraction));
          report(index, 1);
        }
      } finally {
        await worker.terminate();
      }
    }),
  );
  return results;
}

function runOne(worker: Worker, scenario: Scenario, seed: number, onProgress: (fraction: number) => void): Promise<Results> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: Reply): void => {
      if ('progress' in reply) return onProgress(reply.progress);
      worker.off('message', onMessage);
      worker.off('error', onError);
      if (reply.ok) resolve(reply.results);
      else reject(new Error(`seed ${seed} failed in a worker: ${reply.message}`));
    };
    const onError = (error: Error): void => {
      worker.off('message', onMessage);
      reject(error);
    };
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.postMessage({ scenario, seed });
  });
}
