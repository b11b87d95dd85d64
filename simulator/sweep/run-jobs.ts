/**
 * Runs a sweep's (scenario, seed) jobs on worker threads, one per core,
 * with the simulator's own seed worker (workers/seed-worker.ts takes any
 * scenario per job, so points and seeds share one pool and no core idles
 * at a point's end). Each result is reduced by `keep` as it arrives, so a
 * sweep holds records, not every run's full results; outputs come back
 * in job order whatever order the workers finish in.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Results } from '../report/results.ts';
import { runScenario } from '../run-scenario.ts';
import type { Scenario } from '../scenario/scenario.ts';
import type { SeedJob } from '../workers/seed-worker.ts';

export type RunJobs = <T>(jobs: readonly SeedJob[], keep: (index: number, results: Results) => T, onProgress?: (fraction: number) => void) => Promise<T[]>;

type Reply = { ok: true; results: Results } | { ok: false; message: string } | { progress: number };

const WORKER_ENTRY = new URL('../workers/seed-worker-entry.mjs', import.meta.url);

export function runJobsOnWorkers(maxWorkers = availableParallelism()): RunJobs {
  return async (jobs, keep, onProgress) => {
    const out = new Array(jobs.length);
    const progress = progressOf(jobs.length, onProgress);
    let next = 0;
    const pool = Array.from({ length: Math.max(1, Math.min(maxWorkers, jobs.length)) }, async () => {
      const worker = new Worker(WORKER_ENTRY);
      try {
        for (let i = next++; i < jobs.length; i = next++) {
          out[i] = keep(i, await runOn(worker, jobs[i] as SeedJob, (f) => progress(i, f)));
          progress(i, 1);
        }
      } catch (error) {
        // One failed run fails the sweep: the other workers take no new job.
        next = jobs.length;
        throw error;
      } finally {
        await worker.terminate();
      }
    });
    await Promise.all(pool);
    return out;
  };
}

/** The same jobs one after another in this thread: for tests, and byte-identical to the workers' results. */
export const runJobsInProcess: RunJobs = async (jobs, keep, onProgress) => {
  const out = [];
  const progress = progressOf(jobs.length, onProgress);
  for (const [i, job] of jobs.entries()) {
    const scenario: Scenario = { ...job.scenario, seed: job.seed };
    out.push(keep(i, await runScenario(scenario, (elapsedMs) => progress(i, elapsedMs / scenario.durationMs))));
    progress(i, 1);
  }
  return out;
};

/** The fraction of all jobs' virtual time done, from each job's own fraction. */
function progressOf(count: number, onProgress?: (fraction: number) => void): (index: number, fraction: number) => void {
  const done = new Float64Array(count);
  return (index, fraction) => {
    done[index] = Math.min(1, fraction);
    onProgress?.(done.reduce((a, b) => a + b, 0) / count);
  };
}

function runOn(worker: Worker, job: SeedJob, onProgress: (fraction: number) => void): Promise<Results> {
  return new Promise((resolve, reject) => {
    const settle = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
    };
    const onMessage = (reply: Reply): void => {
      if ('progress' in reply) return onProgress(reply.progress);
      settle();
      if (reply.ok) resolve(reply.results);
      else reject(new Error(`seed ${job.seed} of ${job.scenario.name} failed in a worker: ${reply.message}`));
    };
    const onError = (error: Error): void => {
      settle();
      reject(error);
    };
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.postMessage(job);
  });
}
