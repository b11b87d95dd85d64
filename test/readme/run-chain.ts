/**
 * Runs README.md command blocks as a user would from the checkout, but in a
 * fresh temp folder: `relaylab` and `npx relaylab` are the checkout's
 * bin/relaylab.mjs (npm offline, so nothing is fetched), HOME is a fresh
 * folder, and the checkout's top-level entries a command names (scenarios/…)
 * are copied in. Long-running commands run in the background until the chain
 * of blocks ends. Substitutions: see readme-commands.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDurationMs } from '../../reference/shared/duration.ts';
import { freePort } from '../support/free-port.ts';
import { expectationPattern, type Command, type CommandBlock } from './readme-blocks.ts';

export const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/relaylab.mjs');
/** The placeholder port of README's relay URLs: `relaylab relay`'s default. */
export const README_PORT = 8443;
const DEFAULT_TIMEOUT_MS = 120_000;
/** Long-running verbs: they serve until stopped. */
const BACKGROUND = /\brelaylab\s+(relay|peer)\b/;
const READY: Array<[RegExp, RegExp]> = [
  [/\brelaylab\s+relay\b/, /relay listening on/],
  [/\brelaylab\s+peer\b/, /peer: ready/],
];
/** Commands that set up or test the checkout itself: a block holding one must say `skip:`. */
const SELF = /^\s*npm\s+(install|ci|test|i)\b/;
const NOT_COPIED = new Set(['node_modules', '.git', 'dist', '.relaylab', '.scratch']);

interface Background {
  command: Command;
  child: ChildProcess;
  output: () => string;
  exited: () => number | null | undefined;
}

export interface ChainContext {
  dir: string;
  home: string;
  port: number;
  env: NodeJS.ProcessEnv;
  background: Background[];
  copied: Set<string>;
  /** The URL a `relay:` directive of this chain stands for. */
  relayUrl?: string;
}

export async function openChain(): Promise<ChainContext> {
  const dir = mkdtempSync(join(tmpdir(), 'relaylab-readme-'));
  const home = join(dir, 'home');
  mkdirSync(home);
  mkdirSync(join(dir, 'node_modules/.bin'), { recursive: true });
  symlinkSync(BIN, join(dir, 'node_modules/.bin/relaylab'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The commands run as a user's would, not as vitest workers.
  for (const key of Object.keys(env)) if (key.startsWith('VITEST') || key === 'NODE_ENV' || key === 'TEST') delete env[key];
  Object.assign(env, {
    HOME: home,
    PATH: `${join(dir, 'node_modules/.bin')}:${process.env.PATH}`,
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
    NO_COLOR: '1',
  });
  return { dir, home, port: await freePort(), env, background: [], copied: new Set() };
}

export async function closeChain(ctx: ChainContext): Promise<void> {
  await Promise.all(ctx.background.map((bg) => stop(bg.child)));
  ctx.background = [];
  rmSync(ctx.dir, { recursive: true, force: true });
}

function substitute(text: string, ctx: ChainContext): string {
  let out = text;
  if (ctx.relayUrl) out = out.split(ctx.relayUrl).join(`https://127.0.0.1:${ctx.port}`);
  out = out.replace(new RegExp(`:${README_PORT}(?!\\d)`, 'g'), `:${ctx.port}`);
  if (!/--port\b/.test(out)) out = out.replace(/\brelaylab\s+relay\b/, `relaylab relay --port ${ctx.port}`);
  return out;
}

/** The checkout's top-level entries a command names as a relative path, copied into the folder once. */
function copyReferencedEntries(text: string, ctx: ChainContext): void {
  const top = new Set(readdirSync(ROOT).filter((name) => !NOT_COPIED.has(name)));
  for (const match of text.matchAll(/(?:^|[\s='"])([\w.-]+)\//g)) {
    const name = match[1]!;
    if (!top.has(name) || ctx.copied.has(name)) continue;
    ctx.copied.add(name);
    cpSync(join(ROOT, name), join(ctx.dir, name), { recursive: true, filter: (src) => !src.split('/').includes('node_modules') });
  }
}

function spawnShell(text: string, ctx: ChainContext): { child: ChildProcess; output: () => string; done: Promise<number | null>; exited: () => number | null | undefined } {
  const child = spawn('bash', ['-c', text], { cwd: ctx.dir, env: ctx.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  let code: number | null | undefined;
  const done = new Promise<number | null>((resolve) => child.on('close', (status, signal) => resolve((code = status ?? (signal ? 128 : null)))));
  return { child, output: () => output, done, exited: () => code };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // Already gone.
      }
    };
    const hard = setTimeout(() => kill('SIGKILL'), 10_000);
    child.once('close', () => {
      clearTimeout(hard);
      resolve();
    });
    kill('SIGTERM');
  });
}

function tail(output: string): string {
  return output.trim().split('\n').slice(-25).join('\n');
}

/** The error names the README line; the whole output is kept in a file beside the temp folders. */
function failure(block: CommandBlock, command: Command, text: string, why: string, output: string): Error {
  const log = join(tmpdir(), `relaylab-readme-line-${command.line}.log`);
  writeFileSync(log, `$ ${text}\n${output}`);
  return new Error(`README.md line ${command.line} (block at line ${block.line}): ${why}\n$ ${text}\n${tail(output)}\n(whole output: ${log})`);
}

/** Checks the console block's expected lines appear in order; returns what is still missing. */
function unmetExpectations(command: Command, output: string, block: CommandBlock, ctx: ChainContext): string[] {
  let rest = output;
  for (let i = 0; i < command.expect.length; i++) {
    const pattern = expectationPattern(substitute(command.expect[i]!, ctx));
    const match = pattern.exec(rest);
    if (!match) return command.expect.slice(i);
    rest = rest.slice(match.index + match[0].length);
  }
  return [];
}

function timeoutOf(block: CommandBlock): number {
  return block.directives.timeout ? (parseDurationMs(block.directives.timeout) ?? DEFAULT_TIMEOUT_MS) : DEFAULT_TIMEOUT_MS;
}

async function startRelayFor(block: CommandBlock, ctx: ChainContext): Promise<void> {
  // In a folder of its own, so the block finds only the certificate FILE it was promised.
  const relayDir = join(ctx.dir, '.readme-relay');
  mkdirSync(relayDir, { recursive: true });
  const command: Command = { line: block.line, text: `relay: ${block.directives.relay!.url}`, expect: [] };
  const run = spawnShell(`cd ${relayDir} && exec relaylab relay --port ${ctx.port}`, ctx);
  ctx.background.push({ command, ...run });
  await waitReady(block, command, run, /relay listening on/, timeoutOf(block));
  ctx.relayUrl = block.directives.relay!.url;
  const caFile = block.directives.relay!.caFile;
  if (caFile) copyFileSync(join(relayDir, '.relaylab/relay/relay-cert.pem'), join(ctx.dir, caFile));
}

async function waitReady(block: CommandBlock, command: Command, run: ReturnType<typeof spawnShell>, ready: RegExp | ((output: string) => boolean), timeoutMs: number): Promise<void> {
  const isReady = typeof ready === 'function' ? ready : (output: string) => ready.test(output);
  const deadline = Date.now() + timeoutMs;
  while (!isReady(run.output())) {
    if (run.exited() !== undefined) throw failure(block, command, command.text, `a background command exited (${run.exited()}) before it was ready`, run.output());
    if (Date.now() > deadline) throw failure(block, command, command.text, `a background command was not ready within ${timeoutMs} ms`, run.output());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs one block's setup and commands in the chain's folder; throws an Error naming the README line on any failure. */
export async function runBlock(block: CommandBlock, ctx: ChainContext): Promise<void> {
  const timeoutMs = timeoutOf(block);
  for (const command of block.commands) {
    if (SELF.test(command.text)) throw failure(block, command, command.text, 'this runs the checkout\'s own set-up or tests: mark the block `<!-- readme-test: skip: REASON -->`', '');
  }
  for (const setup of block.directives.setup) {
    const run = spawnShell(setup, ctx);
    const code = await run.done;
    if (code !== 0) throw failure(block, { line: block.line, text: setup, expect: [] }, setup, `setup exited ${code}`, run.output());
  }
  if (block.directives.relay) await startRelayFor(block, ctx);
  for (const [i, command] of block.commands.entries()) {
    const text = substitute(command.text, ctx);
    copyReferencedEntries(text, ctx);
    const background = BACKGROUND.test(text) || block.directives.background.some((re) => re.test(text));
    const run = spawnShell(text, ctx);
    if (background) {
      ctx.background.push({ command, ...run });
      // Ready once its console lines are all there (they may come after the ready line: RemoteHouse's link
      // follows the peer's "ready" once its page is bundled); without console lines, at its ready line.
      const readyLine = block.directives.ready ?? READY.find(([verb]) => verb.test(text))?.[1];
      const printedAll = (output: string) => unmetExpectations(command, output, block, ctx).length === 0;
      await waitReady(block, command, run, (output) => (command.expect.length > 0 ? printedAll(output) : readyLine ? readyLine.test(output) : /\S/.test(output)), timeoutMs);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const unmet = unmetExpectations(command, run.output(), block, ctx);
      if (unmet.length > 0) throw failure(block, command, text, `did not print: ${unmet[0]}`, run.output());
      continue;
    }
    const timer = setTimeout(() => stop(run.child), timeoutMs);
    const code = await run.done;
    clearTimeout(timer);
    const expected = i === block.commands.length - 1 ? block.directives.exit : 0;
    if (code !== expected) throw failure(block, command, text, `exited ${code}, expected ${expected}`, run.output());
    const unmet = unmetExpectations(command, run.output(), block, ctx);
    if (unmet.length > 0) throw failure(block, command, text, `did not print: ${unmet[0]}`, run.output());
  }
  for (const bg of ctx.background) {
    if (bg.exited() !== undefined) throw failure(block, bg.command, bg.command.text, `a background command exited (${bg.exited()}) before the blocks using it were done`, bg.output());
  }
}

export function hasFile(path: string): boolean {
  return existsSync(join(ROOT, path));
}
