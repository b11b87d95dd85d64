/** Runs the real `relaylab` CLI (bin/relaylab.mjs through tsx) as a child process, the way a user does. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../bin/relaylab.mjs', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs to completion. */
export function runCli(args: string[], options: { timeoutMs?: number } = {}): Promise<CliResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`relaylab ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A long-running `relaylab` (relay, peer): read its output as it comes, signal it, await its exit. */
export class CliProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code)));
  }

  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.stdout);
      if (match) return match;
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`no ${pattern} in output (exit ${this.child.exitCode})\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Sends SIGTERM and resolves with the exit code. Kills hard after `graceMs`. */
  async stop(graceMs = 5_000): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

export interface RunningCli {
  child: ChildProcess;
  firstLine: string;
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts a long-running verb and resolves once it printed its first stdout line. */
export async function startCli(args: string[], options: { timeoutMs?: number } = {}): Promise<RunningCli> {
  const cli = new CliProcess(args);
  let firstLine: string;
  try {
    [, firstLine = ''] = await cli.waitFor(/^([^\n]*)\n/, options.timeoutMs ?? 30_000);
  } catch (error) {
    cli.child.kill('SIGKILL');
    throw error;
  }
  // A generous grace: a draining relay must get to exit on its own, even on a loaded machine.
  return { child: cli.child, firstLine, output: () => cli.stdout + cli.stderr, stop: () => cli.stop(30_000) };
}

export function urlFromStartupLine(line: string): string {
  const match = /listening on (https:\/\/\S+)/.exec(line);
  if (!match?.[1]) throw new Error(`no URL in startup line: ${line}`);
  return match[1];
}

export function certPathFromStartupLine(line: string): string {
  const match = /--relay-ca\): (\S+)/.exec(line);
  if (!match?.[1]) throw new Error(`no certificate path in startup line: ${line}`);
  return match[1];
}
