/**
 * CPU time of processes on this machine, from Linux /proc, for benchmarks
 * that share two cores with what they drive: a server child by pid, and a
 * server we did not start (PostgreSQL: its postmaster and one backend per
 * connection) by command name.
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

/**
 * User + system CPU used so far by every live process whose command name
 * is `comm`, in µs; null when none runs here (a server elsewhere, or no
 * /proc). A process that ends between two readings takes its CPU with it,
 * so a difference can only read low.
 */
export function commandCpuUs(comm: string): number | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  let ticks = 0;
  let found = 0;
  for (const pid of pids) {
    let line: string;
    try {
      line = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    const stat = parseStat(line);
    if (stat.comm !== comm) continue;
    ticks += stat.ticks;
    found++;
  }
  return found === 0 ? null : ticksToUs(ticks);
}

function ticksToUs(ticks: number): number {
  return (ticks / CLOCK_TICKS_PER_SECOND) * 1e6;
}
