/**
 * `--target-cmd`: the suite starts the relay itself with a shell command,
 * waits for GET /api/health to answer 200, and stops it after the run.
 * With `--time-warp K` the command runs under libfaketime (`faketime -f
 * '+0 xK'`), so the relay's clock, its timers included, runs K times faster
 * and a one-hour TTL passes in a minute of real time.
 *
 * The command runs in its own process group. Stopping it signals the
 * programs at the bottom of that group first and lets the shells (and
 * faketime) above them reap them and exit on their own: killing a shell
 * before its child orphans the child, and on a machine whose init does not
 * reap, an orphan that exits stays a zombie.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, readdir, readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { Agent, request as undiciRequest } from 'undici';
import { UsageError } from '../../cli/usage-error.ts';
import { pinnedTrust } from '../../reference/identity/pinning.ts';
import type { TargetOptions } from './target.ts';
import { PATHS } from './endpoints.ts';

export interface StartTargetOptions {
  /** Shell command (run with `sh -c`) that starts the relay at `target.url`. */
  command: string;
  /** The relay's clock runs this many times faster (libfaketime); 1: not warped. */
  warp: number;
  target: TargetOptions;
  /** How long the relay gets to answer 200 on /api/health, real milliseconds (default 30 s). */
  healthTimeoutMs?: number;
  /** How long close() waits after SIGTERM before SIGKILL, real milliseconds (default 5 s). */
  stopTimeoutMs?: number;
}

export interface StartedTarget {
  url: string;
  caPem: string | null;
  ttlSeconds: number;
  /** Stops the whole process group (SIGTERM, then SIGKILL after the grace); resolves when it exited. Idempotent. */
  close(): Promise<void>;
  /** Process id of the group leader (the shell, or faketime). */
  readonly pid: number;
  /** The last lines the command wrote (stdout and stderr interleaved), oldest first. */
  output(): string[];
}

export const DEFAULT_HEALTH_TIMEOUT_MS = 30_000;
export const DEFAULT_STOP_TIMEOUT_MS = 5_000;
const KEPT_LINES = 40;
const POLL_INTERVAL_MS = 150;

export async function startTargetCommand(options: StartTargetOptions): Promise<StartedTarget> {
  const { command, warp, target } = options;
  if (!Number.isFinite(warp) || warp < 1) throw new UsageError(`--time-warp must be a number ≥ 1, got ${warp}`);
  // Something already listening there would be tested instead of the relay the command starts (which then fails to bind).
  const squatter = await answersHealth(target);
  if (squatter !== null) {
    throw new UsageError(`${target.url} already answers (${squatter}) before --target-cmd started: stop what listens there, or give --target-cmd and --target a free port`);
  }
  let argv: string[] = ['sh', '-c', command];
  if (warp > 1) {
    if (!(await onPath('faketime'))) {
      throw new UsageError(`--time-warp ${warp} runs --target-cmd under libfaketime, but the faketime command is not installed (apt-get install faketime)`);
    }
    argv = ['faketime', '-f', `+0 x${warp}`, ...argv];
  }
  const child = spawn(argv[0] as string, argv.slice(1), { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  const group = new GroupProcess(child, options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS);
  try {
    await group.spawned;
    await waitHealthy(group, target, options.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS, command);
    // A command that answered health and then died (a second bind, a crash at start) is no target either.
    await Promise.race([group.exited, sleep(SETTLE_MS)]);
    if (group.exit !== null) throw new UsageError(`--target-cmd ${describeExit(group.exit)} right after ${target.url}/api/health answered; its last output line: ${JSON.stringify(oneLine(group.lastLine() ?? ''))}`);
  } catch (error) {
    await group.close();
    throw error;
  }
  return {
    url: target.url,
    caPem: target.caPem,
    ttlSeconds: 0,
    pid: group.pid,
    close: () => group.close(),
    output: () => group.lines(),
  };
}

const SETTLE_MS = 300;

/** One quick health probe: the HTTP status if anything answers, else null. */
async function answersHealth(target: TargetOptions): Promise<string | null> {
  const url = new URL(PATHS.health, target.url);
  const agent = new Agent({ connect: url.protocol === 'https:' ? { ...pinnedTrust(target.caPem), rejectUnauthorized: false } : {}, connectTimeout: 1000 });
  try {
    const response = await undiciRequest(url, { method: 'GET', dispatcher: agent, signal: AbortSignal.timeout(1500) });
    await response.body.text().catch(() => '');
    return `HTTP ${response.statusCode}`;
  } catch {
    return null;
  } finally {
    await agent.close().catch(() => undefined);
  }
}

async function onPath(name: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      await access(join(dir, name), fsConstants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The started command: its output tail, its exit, and how to stop its whole group. */
class GroupProcess {
  readonly pid: number;
  readonly spawned: Promise<void>;
  /** Resolves when the group leader has exited (and was reaped). */
  readonly exited: Promise<Exit>;
  exit: Exit | null = null;
  private readonly tail: string[] = [];
  private partial = { stdout: '', stderr: '' };
  private closing: Promise<void> | null = null;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    void this.close().finally(() => {
      // Nobody else handles it: the suite dies of the signal as it would have without us.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  };
  private readonly onExit = () => {
    // The suite is going away without close(): nothing asynchronous runs any more, so kill outright.
    if (this.exit === null) signalGroup(this.pid, 'SIGKILL');
  };

  constructor(
    private readonly child: ChildProcess,
    private readonly stopTimeoutMs: number,
  ) {
    this.pid = child.pid ?? -1;
    this.spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) => reject(new UsageError(`--target-cmd could not be started: ${error.message}`)));
    });
    this.exited = new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
      // A spawn failure never emits 'exit'.
      child.once('error', () => {
        this.exit ??= { code: null, signal: null };
        resolve(this.exit);
      });
    });
    child.stdout?.setEncoding('utf8').on('data', (text: string) => this.keep('stdout', text));
    child.stderr?.setEncoding('utf8').on('data', (text: string) => this.keep('stderr', text));
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
    process.on('exit', this.onExit);
  }

  private keep(stream: 'stdout' | 'stderr', text: string): void {
    const parts = (this.partial[stream] + text).split(/\r?\n/);
    this.partial[stream] = (parts.pop() ?? '').slice(-4096);
    for (const line of parts) this.push(line);
  }

  private push(line: string): void {
    if (line.trim() === '') return;
    this.tail.push(line.length > 500 ? `${line.slice(0, 500)}…` : line);
    if (this.tail.length > KEPT_LINES) this.tail.shift();
  }

  lines(): string[] {
    const pending = [this.partial.stdout, this.partial.stderr].filter((p) => p.trim() !== '');
    return [...this.tail, ...pending].slice(-KEPT_LINES);
  }

  lastLine(): string | null {
    return this.lines().at(-1) ?? null;
  }

  /** Output written just before the exit may still be in the pipes: give it a moment. */
  async drained(): Promise<void> {
    const streams = [this.child.stdout, this.child.stderr].filter((s) => s !== null && !s.readableEnded && !s.destroyed);
    await Promise.race([
      Promise.all(streams.map((s) => new Promise((resolve) => { s?.once('end', resolve); s?.once('close', resolve); }))),
      sleep(300),
    ]);
  }

  close(): Promise<void> {
    this.closing ??= this.stop().finally(() => {
      process.off('SIGINT', this.onSignal);
      process.off('SIGTERM', this.onSignal);
      process.off('exit', this.onExit);
      this.child.stdout?.destroy();
      this.child.stderr?.destroy();
    });
    return this.closing;
  }

  private async stop(): Promise<void> {
    if (this.pid <= 0) return;
    const deadline = Date.now() + this.stopTimeoutMs;
    const signalled = new Set<string>();
    // Graceful: SIGTERM the programs at the bottom, then whatever is left, until the leader is gone or time is up.
    while (this.exit === null && Date.now() < deadline) {
      const members = await groupMembers(this.pid);
      if (members === null) {
        if (signalled.size === 0) signalGroup(this.pid, 'SIGTERM');
        signalled.add('group');
      } else {
        for (const member of termTargets(members, this.pid)) {
          const key = `${member.pid}/${member.startTime}`;
          if (signalled.has(key)) continue;
          signalled.add(key);
          signalPid(member.pid, 'SIGTERM');
        }
      }
      await Promise.race([this.exited, sleep(POLL_INTERVAL_MS)]);
    }
    if (this.exit === null) await this.killBottomUp();
    await this.exited;
    // Members that left the leader's tree (a daemonised child) would outlive the run: no mercy for them.
    const rest = await groupMembers(this.pid);
    if (rest === null || rest.some((m) => m.state !== 'Z')) signalGroup(this.pid, 'SIGKILL');
  }

  /** SIGKILL the deepest processes first, so each parent still alive reaps its child before it dies itself. */
  private async killBottomUp(): Promise<void> {
    for (let round = 0; round < 20 && this.exit === null; round += 1) {
      const members = await groupMembers(this.pid);
      if (members === null) {
        signalGroup(this.pid, 'SIGKILL');
        break;
      }
      const live = members.filter((m) => m.state !== 'Z');
      if (live.length === 0) break;
      const depth = depths(live, this.pid);
      const deepest = Math.max(...live.map((m) => depth.get(m.pid) ?? 0));
      const level = live.filter((m) => (depth.get(m.pid) ?? 0) === deepest);
      for (const member of level) signalPid(member.pid, 'SIGKILL');
      await Promise.race([this.exited, sleep(level.some((m) => m.pid === this.pid) ? 1000 : 50)]);
    }
    if (this.exit === null) signalGroup(this.pid, 'SIGKILL');
  }
}

interface Member {
  pid: number;
  ppid: number;
  state: string;
  comm: string;
  startTime: string;
}

/** Processes in process group `pgid`, from /proc; null where there is no /proc (then the group is signalled as a whole). */
async function groupMembers(pgid: number): Promise<Member[] | null> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
    await access(`/proc/${process.pid}/stat`);
  } catch {
    return null;
  }
  const members: Member[] = [];
  await Promise.all(
    entries.filter((e) => /^\d+$/.test(e)).map(async (entry) => {
      let stat: string;
      try {
        stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      } catch {
        return; // gone meanwhile
      }
      // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime priority nice threads itrealvalue starttime
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      if (Number(fields[2]) !== pgid) return;
      members.push({ pid: Number(entry), ppid: Number(fields[1]), state: fields[0] ?? '?', comm, startTime: fields[19] ?? '' });
    }),
  );
  return members;
}

/** Processes that only run others and wait for them: signalled only once nothing runs below them. */
const WRAPPERS = new Set(['sh', 'dash', 'bash', 'ash', 'ksh', 'mksh', 'zsh', 'busybox', 'faketime']);

/**
 * Whom to SIGTERM: below each wrapper (shell, faketime) that still has a
 * live child, its children instead; the wrapper reaps them and exits by
 * itself. Members outside the leader's tree are roots of their own.
 */
function termTargets(members: Member[], leaderPid: number): Member[] {
  const live = members.filter((m) => m.state !== 'Z');
  const byPid = new Map(live.map((m) => [m.pid, m]));
  const children = new Map<number, Member[]>();
  for (const m of live) if (byPid.has(m.ppid) && m.pid !== leaderPid) children.set(m.ppid, [...(children.get(m.ppid) ?? []), m]);
  const roots = live.filter((m) => m.pid === leaderPid || !byPid.has(m.ppid));
  const out: Member[] = [];
  const visit = (m: Member) => {
    const below = children.get(m.pid) ?? [];
    if (WRAPPERS.has(m.comm) && below.length > 0) below.forEach(visit);
    else out.push(m);
  };
  roots.forEach(visit);
  return out;
}

function depths(members: Member[], leaderPid: number): Map<number, number> {
  const byPid = new Map(members.map((m) => [m.pid, m]));
  const depth = new Map<number, number>();
  const of = (m: Member, seen = 0): number => {
    const known = depth.get(m.pid);
    if (known !== undefined) return known;
    const parent = m.pid === leaderPid ? undefined : byPid.get(m.ppid);
    const d = parent && seen < 64 ? of(parent, seen + 1) + 1 : 0;
    depth.set(m.pid, d);
    return d;
  };
  members.forEach((m) => of(m));
  return depth;
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  if (pgid <= 0) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is empty
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describeExit(exit: Exit): string {
  if (exit.signal) return `was killed by ${exit.signal}`;
  if (exit.code === null) return 'could not be run';
  return `exited with code ${exit.code}`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}

async function waitHealthy(group: GroupProcess, target: TargetOptions, timeoutMs: number, command: string): Promise<void> {
  const url = new URL(PATHS.health, target.url);
  const agent = new Agent({
    connect: url.protocol === 'https:' ? { ...pinnedTrust(target.caPem), rejectUnauthorized: !target.insecure } : {},
    headersTimeout: 2000,
    bodyTimeout: 2000,
    connectTimeout: 2000,
  });
  const flat = oneLine(command);
  const shown = flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
  const last = (): string => {
    const line = group.lastLine();
    return line === null ? 'it printed nothing' : `its last output line: ${JSON.stringify(oneLine(line))}`;
  };
  const deadline = Date.now() + timeoutMs;
  let lastAttempt = 'no attempt yet';
  try {
    for (;;) {
      if (group.exit !== null) {
        await group.drained();
        throw new UsageError(`--target-cmd "${shown}" ${describeExit(group.exit)} before ${url.href} answered 200; ${last()}`);
      }
      try {
        const response = await undiciRequest(url, { method: 'GET', dispatcher: agent, signal: AbortSignal.timeout(2500) });
        await response.body.text().catch(() => '');
        if (response.statusCode === 200) return;
        lastAttempt = `HTTP ${response.statusCode}`;
      } catch (error) {
        const err = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
        lastAttempt = oneLine(err.cause?.code ?? err.code ?? err.cause?.message ?? err.message ?? String(error));
      }
      if (Date.now() >= deadline) {
        throw new UsageError(`--target-cmd "${shown}" did not answer 200 on ${url.href} within ${Math.round(timeoutMs / 1000)} s (last attempt: ${lastAttempt}); ${last()}`);
      }
      await Promise.race([group.exited, sleep(POLL_INTERVAL_MS)]);
    }
  } finally {
    await agent.close().catch(() => undefined);
  }
}
