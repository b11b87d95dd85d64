/**
 * DEFECT poolSize: a database connection pool with no queue. Each query
 * holds a connection for 5-15 ms of real time (an honest async wait that
 * stands for the round trip); a request that finds every connection busy
 * fails like PostgreSQL's "too many clients" and becomes a 500. One request
 * at a time never fails: the bug shows only under concurrency (SPEC ERR-5).
 * With no pool (null, the default) queries run at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DatabaseError } from './errors.ts';

export class ConnectionPool {
  private inUse = 0;

  constructor(private readonly size: number | null) {}

  async query<T>(work: () => T): Promise<T> {
    if (this.size === null) return work();
    if (this.inUse >= this.size) throw new DatabaseError('sorry, too many clients already');
    this.inUse += 1;
    try {
      await sleep(5 + Math.floor(Math.random() * 11));
      return work();
    } finally {
      this.inUse -= 1;
    }
  }
}
