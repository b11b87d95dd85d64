/**
 * bench:relay --store postgres as a user runs it, at toy size: the relay
 * on a scratch database, PostgreSQL's own CPU per request read from its
 * processes, and the two ceilings under the lookup target (the store
 * alone, and the database's CPU). Timings are not checked; that each
 * figure is printed, and is not made up, is.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { redactPostgresUrl } from '../../reference/relay/stores/postgres-url.ts';
import { adminDatabaseUrl } from '../../reference/relay/stores/test-database.ts';

const run = promisify(execFile);
const SCRIPT = new URL('../../bench/relay.bench.ts', import.meta.url).pathname;
const TSX = new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url).pathname;

describe('npm run bench:relay -- --store postgres (toy size)', () => {
  it('prints the database CPU per request beside the servers and the driver, and the ceiling it sets on lookups', async () => {
    const env = { ...process.env, BENCH_SECONDS: '0.5', BENCH_ROUNDS: '1' };
    const { stdout } = await run(process.execPath, [TSX, SCRIPT, '--store', 'postgres', '--only', 'lookup'], { env, timeout: 100_000 });
    const context = `PostgreSQL at ${redactPostgresUrl(adminDatabaseUrl())}\n${stdout}`;
    expect(stdout, context).toMatch(/^endpoint\s+server\s+req\/s\s+p50 ms\s+p99 ms\s+server CPU µs\/req\s+driver CPU µs\/req\s+PostgreSQL CPU µs\/req\s+errors/m);
    const row = (side: string) => new RegExp(`^lookup\\s+${side}\\s+\\d+\\s+[\\d.]+\\s+[\\d.]+\\s+[\\d.]+\\s+[\\d.]+\\s+([\\d.]+)\\s+0$`, 'm').exec(stdout);
    expect(row('bare'), context).not.toBeNull();
    // The relay's lookups each ran a statement: its database's backends worked for them (a reading of the wrong processes, or none, shows 0 or null);
    // bare's rounds touch no database, and only this run's backends are read, so they show next to nothing.
    expect(Number(row('relay')?.[1]), context).toBeGreaterThan(1);
    expect(Number(row('bare')?.[1]), context).toBeLessThan(Number(row('relay')?.[1]));
    const ceiling = /^lookup, the ceiling PostgreSQL's own CPU sets, relay\/bare\s+(\d+)% \(\d+%-\d+%\)\s+ceiling\s+PostgreSQL's backends (\d+) µs of CPU per lookup on the same cores, bare (\d+) µs in all \(server, driver\); the relay's whole account, (\d+) µs with the database, predicts (\d+)% if CPU-bound$/m.exec(stdout);
    expect(ceiling, context).not.toBeNull();
    const [share, databaseUs, bareUs, relayUs, predicted] = (ceiling as RegExpExecArray).slice(1).map(Number) as [number, number, number, number, number];
    // The ceiling is bare's whole CPU over itself plus the database's: recomputed from the printed figures (rounded to whole µs).
    expect(Math.abs(share - (100 * bareUs) / (bareUs + databaseUs))).toBeLessThan(2);
    expect(Math.abs(predicted - (100 * bareUs) / relayUs)).toBeLessThan(2);
    expect(stdout).toMatch(/^failed requests \(all servers, all rounds\)\s+0\s+0\s+meets$/m);
  }, 120_000);
});
