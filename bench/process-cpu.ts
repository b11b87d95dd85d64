/**
 * CPU time of processes on this machine, from Linux /proc, for benchmarks
 * that share two cores with what they drive: a server child by pid, and
 * the PostgreSQL backends serving one database (a server we did not
 * start: one backend per connection, each titled with its database).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS_PER_SECOND = 100;

/** The command name and user + system CPU ticks of one /proc/PID/stat line. */
export function parseStat(line: string): { comm: string; ticks: number } {
  // "pid (comm) state ...": comm may hold spaces and parentheses, so it ends at the last ") ".
  const open = line.indexOf('(');
  const close = line.lastIndexOf(') ');
  if (open < 0 || close < open) throw new Error(`not a /proc stat line: ${JSON.stringify(line.slice(0, 80))}`);
  const fields = line.slice(close + 2).split(' ');
  // After the comm, field 0 is the state; utime and stime are fields 14 and 15 of the whole line.
  const ticks = Number(fields[11]) + Number(fields[12]);
  if (!Number.isFinite(ticks)) throw new Error(`no utime/stime in /proc stat line: ${JSON.stringify(line.slice(0, 80))}`);
  return { comm: line.slice(open + 1, close), ticks };
}

/** User + system CPU process `pid` has used, in µs (ticks of 1/100 s: plenty over a round of seconds). */
export function processCpuUs(pid: number): number {
  return ticksToUs(parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).ticks);
}

/** CPU µs so far, by pid. */
export type CpuByPid = Map<number, number>;

/** CPU µs so far of each live process here that `matches` (its command name and its command line, NULs as spaces). */
export function cpuByPid(matches: (comm: string, commandLine: string) => boolean): CpuByPid {
  const out: CpuByPid = new Map();
  let names: string[];
  try {
    names = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return out; // no /proc: nothing found, which callers print as not determined
  }
  for (const name of names) {
    try {
      const stat = parseStat(readFileSync(`/proc/${name}/stat`, 'utf8'));
      const commandLine = readFileSync(`/proc/${name}/cmdline`, 'latin1').replaceAll('\0', ' ');
      if (matches(stat.comm, commandLine)) out.set(Number(name), ticksToUs(stat.ticks));
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

/**
 * The CPU spent between two readings by the processes of the second:
 * each one's growth (all of it for one that started meanwhile). Null when
 * no process matched at either reading. A process that ended meanwhile
 * is not in the second reading, so its share is missed: the figure can
 * only read low.
 */
export function cpuSpentUs(before: CpuByPid, after: CpuByPid): number | null {
  if (before.size === 0 && after.size === 0) return null;
  let spent = 0;
  for (const [pid, us] of after) spent += Math.max(0, us - (before.get(pid) ?? 0));
  return spent;
}

/**
 * Matches PostgreSQL's backends for database `name`: the server titles
 * each "postgres: [cluster: ]user database host(port) state". Other
 * databases' backends and the server's own processes (checkpointer, WAL
 * writer, autovacuum) are left out, so the figure is the least the
 * database spent on these requests.
 */
export function postgresBackendOf(name: string): (comm: string, commandLine: string) => boolean {
  return (comm, commandLine) => comm === 'postgres' && commandLine.startsWith('postgres: ') && commandLine.includes(` ${name} `);
}

function ticksToUs(ticks: number): number {
  return (ticks / CLOCK_TICKS_PER_SECOND) * 1e6;
}
